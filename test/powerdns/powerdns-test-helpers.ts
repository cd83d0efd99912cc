import {
  describeEndpoint,
  endpointKey,
  loadPluginOptions,
  type BatchReport,
  type Changes,
  type DnsPlugin,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import {
  createTestPluginContext,
  drivePlugin,
  type PluginDriver,
  type TestPluginContext,
} from '@dnsgate/plugin-sdk/testkit';
import { PowerDnsOptions, PowerDnsPluginFactory } from '@dnsgate/plugin-powerdns';
import type { PowerDnsTestServer } from '../support/powerdns-server.js';

export interface PluginUnderTest {
  plugin: DnsPlugin;
  context: TestPluginContext;
  /** The plugin driven as the gateway drives it: batches through the SDK's pipeline, calls under a deadline. */
  driver: PluginDriver;
}

/** The plugin as the gateway builds it: options from env, the factory, a test context. */
export function createPowerDnsPlugin(server: PowerDnsTestServer, env: Record<string, string> = {}): PluginUnderTest {
  const context = createTestPluginContext('powerdns');
  const { options } = loadPluginOptions(PowerDnsOptions, 'DNSGATE_POWERDNS_', {
    DNSGATE_POWERDNS_URL: server.url,
    DNSGATE_POWERDNS_API_KEY: server.apiKey,
    ...env,
  });
  const plugin = new PowerDnsPluginFactory().create(options, context);
  return { plugin, context, driver: drivePlugin(plugin) };
}

export function changes(partial: Partial<Changes>): Changes {
  return { create: [], updateOld: [], updateNew: [], delete: [], ...partial };
}

/** What ExternalDNS's planner would change: desired (adjusted) against current, by key. */
export function planDiff(desired: Endpoint[], current: Endpoint[]): Changes {
  const byKey = new Map(current.map((e) => [endpointKey(e), e]));
  const plan = changes({});
  for (const want of desired) {
    const have = byKey.get(endpointKey(want));
    if (!have) {
      plan.create.push(want);
      continue;
    }
    const sameTargets = [...want.targets].sort().join('\n') === [...have.targets].sort().join('\n');
    const ttlDiffers = (want.recordTTL ?? 0) > 0 && want.recordTTL !== have.recordTTL;
    const psDiffers = JSON.stringify(want.providerSpecific ?? []) !== JSON.stringify(have.providerSpecific ?? []);
    if (!sameTargets || ttlDiffers || psDiffers) {
      plan.updateOld.push(have);
      plan.updateNew.push(want);
    }
  }
  return plan;
}

export function find(endpoints: Endpoint[], dnsName: string, recordType: string): Endpoint | undefined {
  return endpoints.find((e) => e.dnsName === dnsName && e.recordType === recordType);
}

/** Sum of a counter's samples matching the labels, from the test registry. */
export async function metricValue(
  context: TestPluginContext,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = context.registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  return data.values
    .filter((v) => Object.entries(labels).every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Each change of the report that did not land, as `action TYPE name: reason`. */
export function notLanded(report: BatchReport): string[] {
  return report.notApplied.map((n) => `${n.action} ${describeEndpoint(n.endpoint)}: ${n.reason}`);
}
