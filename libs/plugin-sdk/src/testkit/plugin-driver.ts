import { emptyChanges, type Changes, type Endpoint } from '@dnsgate/protocol';
import { BatchPipeline } from '../batch/batch-pipeline.js';
import { BatchIncompleteError, type BatchReport } from '../batch/batch-report.js';
import { applyWithinDeadline, withinDeadline } from '../batch/within-deadline.js';
import { Deadline } from '../concurrency/deadline.js';
import type { DnsPlugin, RecordsRequest } from '../contract/dns-plugin.interface.js';

/** Generous: a test that wants a short deadline passes its own. */
export const DEFAULT_CALL_BUDGET_MS = 60_000;

export interface DriveOptions {
  /** The call's deadline, as DNSGATE_REQUEST_TIMEOUT gives it in the gateway. */
  budgetMs?: number;
  dryRun?: boolean;
}

/**
 * A plugin driven the way the gateway drives it: every batch through the
 * SDK's pipeline (one per plugin, so one batch lock), every call under a
 * deadline, the zones from the plugin itself. For plugin tests.
 */
export interface PluginDriver {
  readonly plugin: DnsPlugin;
  records(request?: RecordsRequest, options?: DriveOptions): Promise<Endpoint[]>;
  adjustEndpoints(endpoints: readonly Endpoint[]): Promise<Endpoint[]>;
  /** The batch's report, complete or not. */
  applyReport(changes: Partial<Changes>, options?: DriveOptions): Promise<BatchReport>;
  /** The batch, which must land whole: else the BatchIncompleteError the gateway answers with (a 5xx). */
  applyChanges(changes: Partial<Changes>, options?: DriveOptions): Promise<void>;
}

const pipelines = new WeakMap<DnsPlugin, BatchPipeline>();

export function drivePlugin(plugin: DnsPlugin): PluginDriver {
  let pipeline = pipelines.get(plugin);
  if (!pipeline) {
    pipeline = new BatchPipeline(plugin);
    pipelines.set(plugin, pipeline);
  }
  const batches = pipeline;
  const driver: PluginDriver = {
    plugin,
    async records(request, options = {}) {
      const deadline = Deadline.in(options.budgetMs ?? DEFAULT_CALL_BUDGET_MS);
      const zones = request?.zones ?? (await plugin.zones());
      return withinDeadline(deadline, 'Records', plugin.records({ zones }, { deadline }));
    },
    async adjustEndpoints(endpoints) {
      return batches.adjust(endpoints, await plugin.zones()).endpoints;
    },
    async applyReport(changes, options = {}) {
      const zones = await plugin.zones();
      const { report } = await applyWithinDeadline(
        batches,
        { ...emptyChanges(), ...changes },
        {
          zones,
          deadline: Deadline.in(options.budgetMs ?? DEFAULT_CALL_BUDGET_MS),
          dryRun: options.dryRun ?? false,
        },
      );
      return report;
    },
    async applyChanges(changes, options) {
      const report = await driver.applyReport(changes, options);
      if (!report.complete) throw new BatchIncompleteError(report);
    },
  };
  return driver;
}
