import {
  BatchIncompleteError,
  describeEndpoint,
  loadPluginOptions,
  type BatchReport,
  type Changes,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import {
  createTestPluginContext,
  drivePlugin,
  type PluginDriver,
  type TestPluginContext,
} from '@dnsgate/plugin-sdk/testkit';
import { Rfc2136Options, Rfc2136PluginFactory } from '../../plugins/rfc2136/src/index.js';
import type { Rfc2136Plugin } from '../../plugins/rfc2136/src/rfc2136.plugin.js';
import type { BindKey, BindServer } from '../support/bind-server.js';

export interface PluginUnderTest {
  plugin: Rfc2136Plugin;
  context: TestPluginContext;
  /** The plugin driven as the gateway drives it: batches through the SDK's pipeline, calls under a deadline. */
  driver: PluginDriver;
}

/** The env a gateway would get for `server` with `key`. */
export function rfc2136Env(
  servers: BindServer[] | string[],
  zones: string[],
  key?: BindKey,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    DNSGATE_RFC2136_HOSTS: servers.map((s) => (typeof s === 'string' ? s : s.address)).join(','),
    DNSGATE_RFC2136_ZONES: zones.join(','),
  };
  if (key) {
    env.DNSGATE_RFC2136_TSIG_KEYNAME = key.name;
    env.DNSGATE_RFC2136_TSIG_SECRET = key.secret;
    env.DNSGATE_RFC2136_TSIG_ALG = key.algorithm;
  }
  return { DNSGATE_RFC2136_TIMEOUT: '2', ...env, ...extra };
}

/** The plugin built the way the gateway builds it: options from the env, then the factory. */
export function createPlugin(env: Record<string, string>): PluginUnderTest {
  const { options } = loadPluginOptions(Rfc2136Options, 'DNSGATE_RFC2136_', env);
  const context = createTestPluginContext('rfc2136');
  const plugin = new Rfc2136PluginFactory().create(options, context) as Rfc2136Plugin;
  return { plugin, context, driver: drivePlugin(plugin) };
}

export function changes(partial: Partial<Changes>): Changes {
  return { create: [], updateOld: [], updateNew: [], delete: [], ...partial };
}

/** Endpoints sorted by name and type, for comparisons. */
export function sorted(endpoints: Endpoint[]): Endpoint[] {
  return [...endpoints].sort((a, b) => `${a.dnsName} ${a.recordType}`.localeCompare(`${b.dnsName} ${b.recordType}`));
}

/** Drops labels, which Records never reports. */
export function withoutLabels(endpoints: Endpoint[]): Endpoint[] {
  return endpoints.map(({ labels: _labels, ...rest }) => rest);
}

/**
 * The plan ExternalDNS would compute: creates, updates (targets or a TTL
 * above 0 differ) and deletes between desired (after AdjustEndpoints) and
 * current (from Records), for names it owns (here: all).
 */
export function planLikeExternalDns(desired: Endpoint[], current: Endpoint[]): Changes {
  const key = (e: Endpoint) => `${e.dnsName}|${e.recordType}|${e.setIdentifier ?? ''}`;
  const currentByKey = new Map(current.map((e) => [key(e), e]));
  const desiredKeys = new Set(desired.map(key));
  const plan = changes({});
  for (const d of desired) {
    const c = currentByKey.get(key(d));
    if (!c) {
      plan.create.push(d);
      continue;
    }
    const sameTargets = [...d.targets].sort().join('\n') === [...c.targets].sort().join('\n');
    const ttlDiffers = (d.recordTTL ?? 0) > 0 && d.recordTTL !== c.recordTTL;
    if (!sameTargets || ttlDiffers) {
      plan.updateOld.push(c);
      plan.updateNew.push(d);
    }
  }
  for (const c of current) if (!desiredKeys.has(key(c))) plan.delete.push(c);
  return plan;
}

/** The error a batch that did not land whole ends with: what the gateway answers (a 5xx). */
export async function incompleteBatch(attempt: Promise<unknown>): Promise<BatchIncompleteError> {
  const outcome = await attempt.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof BatchIncompleteError)) {
    throw new Error(`expected the batch to end with a BatchIncompleteError, got ${String(outcome)}`);
  }
  return outcome;
}

/** Each change of the report that did not land, as `action TYPE name: reason`. */
export function notLanded(report: BatchReport): string[] {
  return report.notApplied.map((n) => `${n.action} ${describeEndpoint(n.endpoint)}: ${n.reason}`);
}
