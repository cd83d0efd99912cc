import { Logger } from '@nestjs/common';
import {
  BatchIncompleteError,
  BatchPipeline,
  PluginNotReadyError,
  RecordsCachingPlugin,
  applyWithinDeadline,
  recordsCacheApplies,
  countByAction,
  describeEndpoint,
  describeNotApplied,
  subjectOf,
  isDnsgateError,
  withinDeadline,
  type BatchReport,
  type Changes,
  type Deadline,
  type DnsPlugin,
  type Endpoint,
  type Readiness,
} from '@dnsgate/plugin-sdk';
import type { BackendRead, RecordsReadOptions } from './backend-read.js';
import type { RecordsCacheSpec } from './backend-config.js';
import { recordTypeCounts } from './record-type-counts.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

type Operation = 'start' | 'stop' | 'zones' | 'records' | 'apply_changes' | 'adjust_endpoints' | 'readiness';

const START_RETRY_FIRST_MS = 1_000;
const START_RETRY_MAX_MS = 30_000;

export interface BackendInstanceDeps {
  metrics: GatewayMetrics;
  redactor: SecretRedactor;
  /** DNSGATE_DRY_RUN: batches are checked and planned, never written. */
  dryRun: boolean;
  /** DNSGATE_RECORDS_CACHE{,_MAX_AGE}: whether reads are kept and revalidated by zone version. */
  recordsCache: RecordsCacheSpec;
}

/**
 * One configured backend: a plugin instance with its lifecycle (started once
 * the webhook port listens, retried while the backend is unreachable),
 * readiness, its batch pipeline (the batch lock is per instance), timing and
 * metrics labelled with the instance, and the log lines of every call: the
 * plugin returns errors and reports, and the core logs them.
 */
export class BackendInstance {
  private readonly logger: Logger;
  private readonly pipeline: BatchPipeline;
  /** The plugin, behind the records cache where it applies. */
  private readonly plugin: DnsPlugin;
  private readonly cache?: RecordsCachingPlugin;
  private state: 'created' | 'starting' | 'running' | 'stopped' = 'created';
  private lastStartError = 'not started yet';
  private retryTimer?: NodeJS.Timeout;
  private startAttempt?: Promise<void>;
  private recordTypes = new Set<string>();

  constructor(
    /** The instance's name: the plugin's name when one backend is configured. */
    readonly name: string,
    readonly pluginName: string,
    plugin: DnsPlugin,
    private readonly deps: BackendInstanceDeps,
  ) {
    this.logger = new Logger(name === pluginName ? `plugin:${name}` : `backend:${name}`);
    this.cache = this.cacheFor(plugin);
    this.plugin = this.cache ?? plugin;
    this.pipeline = new BatchPipeline(this.plugin);
    deps.metrics.pluginReady.set(this.labels(), 0);
    deps.metrics.pluginDryRun.set(this.labels(), deps.dryRun ? 1 : 0);
    if (deps.dryRun) this.logger.warn(`backend "${name}" runs in dry-run: ApplyChanges writes nothing`);
  }

  get dryRun(): boolean {
    return this.deps.dryRun;
  }

  /** True once start() succeeded, until shutdown. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Why it is not running, for answers that must say so. */
  notRunningReason(): string {
    return this.notReadyReason();
  }

  /** Starts the plugin without blocking; retries with backoff until it succeeds or shutdown. */
  startInBackground(): void {
    if (this.state !== 'created') return;
    this.state = 'starting';
    this.attemptStart(START_RETRY_FIRST_MS);
  }

  /** Resolves once the plugin has started (for tests and for a start that must be awaited). */
  async whenStarted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'running') {
      if (Date.now() > deadline) throw new PluginNotReadyError(this.notReadyReason());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async readiness(): Promise<Readiness> {
    if (this.state !== 'running') return { ready: false, reason: this.notReadyReason() };
    try {
      const readiness = await this.plugin.readiness();
      this.deps.metrics.pluginReady.set(this.labels(), readiness.ready ? 1 : 0);
      return readiness.ready ? readiness : { ready: false, reason: this.redact(readiness.reason) };
    } catch (error) {
      this.deps.metrics.pluginReady.set(this.labels(), 0);
      return { ready: false, reason: this.redact(`readiness check failed: ${(error as Error).message}`) };
    }
  }

  /**
   * Asked before start succeeded too: a plugin whose zones are configured
   * answers at once, so ExternalDNS's negotiation succeeds while the backend
   * is still unreachable; one that must ask its backend throws, and the
   * client retries.
   */
  zones(): Promise<string[]> {
    if (this.state === 'stopped') return Promise.reject(new PluginNotReadyError(this.notReadyReason()));
    return this.measure('zones', () => this.plugin.zones());
  }

  /**
   * The records of these zones: one read per zone through the records cache;
   * else the plugin's JSON of them where it makes one and the answer takes
   * the read unchanged; else one read of all, which may hand finished record
   * sets to `early` (the cache's reads are serialised their own way:
   * serialisedZoneRead).
   */
  async records(zones: readonly string[], deadline: Deadline, how: RecordsReadOptions): Promise<BackendRead[]> {
    this.assertRunning();
    const reads = await this.measure('records', () =>
      withinDeadline(deadline, `reading the records of backend "${this.name}"`, this.read(zones, deadline, how)),
    );
    this.countRecords(reads);
    return reads;
  }

  private async read(zones: readonly string[], deadline: Deadline, how: RecordsReadOptions): Promise<BackendRead[]> {
    if (this.cache) return this.cache.readZones({ zones }, { deadline });
    if (how.sentUnchanged && this.plugin.serialisedRecords) {
      return [{ serialised: await this.plugin.serialisedRecords({ zones }, { deadline }) }];
    }
    const call = how.early ? { deadline, early: how.early } : { deadline };
    return [{ zone: undefined, endpoints: await this.plugin.records({ zones }, call), reusable: false }];
  }

  /** AdjustEndpoints: what the backend will hold, the rest dropped with a log line and a count. */
  async adjust(endpoints: readonly Endpoint[], zones: readonly string[]): Promise<Endpoint[]> {
    return this.measure('adjust_endpoints', async () => {
      const result = this.pipeline.adjust(endpoints, zones);
      for (const drop of result.dropped) {
        this.deps.metrics.pluginEndpointsDropped.inc({ ...this.labels(), reason: drop.reason });
        this.logger.warn(`dropping ${describeEndpoint(drop.endpoint)}: ${drop.problem}`);
      }
      for (const drop of result.droppedTargets) {
        this.deps.metrics.pluginEndpointsDropped.inc({ ...this.labels(), reason: 'target' });
        this.logger.warn(
          `dropping target ${JSON.stringify(drop.target)} of ${describeEndpoint(drop.endpoint)}: ${drop.problem}`,
        );
      }
      return result.endpoints;
    });
  }

  /**
   * ApplyChanges through the batch pipeline. Resolves when every change
   * landed (or, in dry-run, would land); otherwise throws a
   * BatchIncompleteError naming each change that did not, a 5xx.
   */
  async apply(changes: Changes, zones: readonly string[], deadline: Deadline): Promise<BatchReport> {
    this.assertRunning();
    return this.measure('apply_changes', async () => {
      const outcome = await applyWithinDeadline(this.pipeline, changes, { zones, deadline, dryRun: this.dryRun });
      if (outcome.timedOut) {
        const inFlight = outcome.report.notApplied.filter((n) => n.mayHaveLanded).length;
        this.logger.warn(
          this.redact(
            `the deadline of the call passed while applying: ${outcome.report.applied.length} applied so far` +
              (inFlight > 0 ? `, ${inFlight} sent and unanswered (they may still land)` : '') +
              '; no new backend work starts',
          ),
        );
        void outcome.finished.then((final) => {
          this.count(final);
          this.logger.warn(this.redact(`after the deadline, the batch ended: ${final.summary()}`));
        });
      } else {
        this.count(outcome.report);
        this.log(outcome.report);
      }
      if (!outcome.report.complete) throw new BatchIncompleteError(outcome.report);
      return outcome.report;
    });
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    await this.startAttempt?.catch(() => undefined);
    if ((wasRunning || this.startAttempt) && this.plugin.stop) {
      await this.measure('stop', () => this.plugin.stop!()).catch((error: Error) =>
        this.logger.warn(`backend "${this.name}" did not stop cleanly: ${this.redact(error.message)}`),
      );
    }
    this.deps.metrics.pluginReady.set(this.labels(), 0);
  }

  labels(): { plugin: string; instance: string } {
    return { plugin: this.pluginName, instance: this.name };
  }

  private count(report: BatchReport): void {
    if (report.dryRun) return;
    const labels = this.labels();
    const applied = countByAction(report.applied);
    for (const action of ['create', 'update', 'delete'] as const) {
      if (applied[action] > 0) this.deps.metrics.pluginChangesApplied.inc({ ...labels, action }, applied[action]);
    }
    const refused = new Map<string, { action: string; reason: string; count: number }>();
    for (const n of report.notApplied) {
      const key = `${n.action}|${n.reason}`;
      const entry = refused.get(key) ?? { action: n.action, reason: n.reason, count: 0 };
      entry.count++;
      refused.set(key, entry);
    }
    for (const { action, reason, count } of refused.values()) {
      this.deps.metrics.pluginChangesRefused.inc({ ...labels, action, reason }, count);
    }
  }

  /** One line for the batch; in dry-run also one per change it would make and per change it would refuse. */
  private log(report: BatchReport): void {
    if (report.dryRun) {
      for (const change of report.applied) {
        const subject = subjectOf(change);
        const targets = change.desired ? ` → ${change.desired.targets.join(', ')}` : '';
        this.logger.log(this.redact(`dry-run: would ${change.action} ${describeEndpoint(subject)}${targets}`));
      }
      for (const n of report.notApplied)
        this.logger.warn(this.redact(`dry-run: would refuse ${describeNotApplied(n)}`));
    }
    if (report.complete) {
      if (report.total > 0) this.logger.log(`${report.summary()}${report.dryRun ? ' (dry-run: nothing written)' : ''}`);
      return;
    }
    this.logger.warn(this.redact(report.summary()));
  }

  private countRecords(reads: readonly BackendRead[]): void {
    const byType = recordTypeCounts(reads);
    for (const type of this.recordTypes) {
      if (!byType.has(type)) this.deps.metrics.pluginRecords.remove({ ...this.labels(), type });
    }
    for (const [type, count] of byType) this.deps.metrics.pluginRecords.set({ ...this.labels(), type }, count);
    this.recordTypes = new Set(byType.keys());
  }

  /**
   * The records cache, where the instance's setting and the plugin's zone
   * versions allow it; the log says which and why, once at boot.
   */
  private cacheFor(plugin: DnsPlugin): RecordsCachingPlugin | undefined {
    const { metrics } = this.deps;
    const setting = this.deps.recordsCache;
    const source = plugin.zoneVersions;
    const enabled = recordsCacheApplies(setting.mode, source?.exactness);
    metrics.recordsCacheEnabled.set(this.labels(), enabled ? 1 : 0);
    if (!source || !enabled) {
      if (setting.mode === 'on') {
        this.logger.warn(`records cache off: plugin "${this.pluginName}" reports no zone versions to revalidate with`);
      } else if (source && setting.mode === 'auto') {
        this.logger.log(
          `records cache off: the zone versions of plugin "${this.pluginName}" may miss changes; DNSGATE_RECORDS_CACHE=on turns it on, bounded by its maximum age`,
        );
      }
      return undefined;
    }
    const maxAge = `${Math.round(setting.maxAgeMs / 1000)} s`;
    this.logger.log(
      `records cache on: zones revalidated by their ${source.exactness} version, read whole at least every ${maxAge}`,
    );
    return new RecordsCachingPlugin(plugin, source, {
      maxAgeMs: setting.maxAgeMs,
      observer: {
        zoneRead: (_zone, result) => {
          metrics.recordsCacheRevalidations.inc(this.labels());
          metrics.recordsCacheZoneReads.inc({ ...this.labels(), result });
        },
        versionDidNotMove: (zone) =>
          this.logger.warn(
            `zone ${zone}: a write landed and its version did not move, so it cannot show every change; ` +
              `changes made outside dnsgate are seen only when a cached read passes its maximum age (${maxAge})`,
          ),
      },
    });
  }

  private attemptStart(nextDelayMs: number): void {
    this.startAttempt = this.measure('start', async () => {
      await this.plugin.start?.();
    })
      .then(() => {
        if (this.state !== 'starting') return;
        this.state = 'running';
        this.deps.metrics.pluginReady.set(this.labels(), 1);
        this.logger.log(`backend "${this.name}" (plugin ${this.pluginName}) started`);
      })
      .catch((error: Error) => {
        if (this.state !== 'starting') return;
        this.lastStartError = error.message;
        this.logger.warn(
          this.redact(
            `backend "${this.name}" could not start: ${error.message}; retrying in ${Math.round(nextDelayMs / 1000)} s`,
          ),
        );
        this.retryTimer = setTimeout(
          () => this.attemptStart(Math.min(nextDelayMs * 2, START_RETRY_MAX_MS)),
          nextDelayMs,
        );
        this.retryTimer.unref();
      });
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new PluginNotReadyError(this.notReadyReason());
  }

  private notReadyReason(): string {
    const what =
      this.name === this.pluginName ? `plugin "${this.name}"` : `backend "${this.name}" (plugin ${this.pluginName})`;
    if (this.state === 'stopped') return `${what} is shutting down`;
    return this.redact(`${what} has not started: ${this.lastStartError}`);
  }

  private async measure<T>(operation: Operation, fn: () => Promise<T>): Promise<T> {
    const end = this.deps.metrics.pluginOperationDuration.startTimer({ ...this.labels(), operation });
    try {
      return await fn();
    } catch (error) {
      const kind = isDnsgateError(error) ? error.kind : 'internal';
      this.deps.metrics.pluginOperationErrors.inc({ ...this.labels(), operation, kind });
      throw error;
    } finally {
      end();
    }
  }

  private redact(text: string): string {
    return this.deps.redactor.redact(text);
  }
}
