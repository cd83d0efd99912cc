import { upperCased, type Endpoint } from '@dnsgate/plugin-sdk';
import { SUPPORTED_TYPES, canonicalHost, isCanonicalTarget, toTarget } from './record-content.mapper.js';

const WILDCARD_OWNER = { wildcard: true } as const;
const NOTHING_DROPPED = Object.freeze([]) as unknown as DroppedTarget[];

/** PowerDNS stores a TTL as a signed 32-bit number. */
export const MAX_TTL = 2147483647;

export type DropReason =
  'invalid_name' | 'unsupported_type' | 'set_identifier' | 'invalid_target' | 'no_targets' | 'cname_targets';

export interface DroppedTarget {
  target: string;
  problem: string;
}

export type NormalizeResult =
  | { ok: true; endpoint: Endpoint; droppedTargets: DroppedTarget[] }
  | { ok: false; reason: DropReason; problem: string; droppedTargets: DroppedTarget[] };

/**
 * Brings a desired endpoint to exactly the form Records reports: lower-case
 * name without the trailing dot, canonical targets sorted and unique, the
 * default TTL when none is set, no provider-specific properties (PowerDNS has
 * none). Targets PowerDNS cannot hold are dropped one by one, so that one bad
 * IP does not make ExternalDNS delete a record that is otherwise fine; an
 * endpoint left with nothing to write is dropped whole.
 */
export function normalizeEndpoint(endpoint: Endpoint, defaultTtl: number): NormalizeResult {
  const name = canonicalHost(endpoint.dnsName, WILDCARD_OWNER);
  if (name === undefined)
    return droppedWhole('invalid_name', `${JSON.stringify(endpoint.dnsName)} is not a DNS name PowerDNS can hold`);
  const type = upperCased(endpoint.recordType.trim());
  if (!SUPPORTED_TYPES.has(type))
    return droppedWhole('unsupported_type', `record type ${type} is not supported by the PowerDNS plugin`);
  if (endpoint.setIdentifier) {
    return droppedWhole(
      'set_identifier',
      `set identifier ${JSON.stringify(endpoint.setIdentifier)}: PowerDNS has no routing policies`,
    );
  }
  const ttl = normalizeTtl(endpoint.recordTTL, defaultTtl);
  if (isNormalWithOneCanonicalTarget(endpoint, name, type, ttl)) {
    return { ok: true, endpoint, droppedTargets: NOTHING_DROPPED };
  }
  const result = normalizeTargets(type, endpoint.targets);
  if (!result.ok) return result;
  return okResult(endpoint, name, result.targets, type, ttl, result.droppedTargets);
}

/**
 * Whether the endpoint is already in normal form with its one target
 * canonical (isAlreadyNormal with the targets normalizeTargets would give),
 * told without making those targets: the result normalizeEndpoint gives is
 * then the endpoint itself, and nothing else is built for it.
 *
 * Why: the targets array, normalizeTargets' and toTarget's results were
 * made for every change only to be compared and dropped, about 1.5 MB of
 * garbage for the 10k creates of a batch, which fills the young generation
 * while the batch is live (every scavenge copies the batch). Measured on
 * the 10k endpoints of the benchmark's batch (CPU medians of 90 rounds,
 * alternating with the build before, two runs): normalizeEndpoint 2.49–2.54
 * -> 2.28–2.33 ms; heap sampling of the in-process apply, with the check
 * handing the normaliser's result on: 15.2 -> 12.1 MB allocated per POST.
 */
export function isNormalWithOneCanonicalTarget(endpoint: Endpoint, name: string, type: string, ttl: number): boolean {
  const targets = endpoint.targets;
  return (
    targets.length === 1 && isCanonicalTarget(type, targets[0]!) && isAlreadyNormal(endpoint, name, targets, type, ttl)
  );
}

export type TargetsResult =
  | { ok: true; targets: string[]; droppedTargets: DroppedTarget[] }
  | { ok: false; reason: DropReason; problem: string; droppedTargets: DroppedTarget[] };

/**
 * The targets of an endpoint of `type` (a supported type, upper case) as
 * Records reports them: canonical, unique, sorted; those PowerDNS cannot hold
 * are dropped one by one.
 */
export function normalizeTargets(type: string, raw: readonly string[]): TargetsResult {
  if (raw.length === 1) {
    // The usual endpoint, one target: no set to make it unique.
    const result = toTarget(type, raw[0]!);
    if (result.ok) return { ok: true, targets: [result.target], droppedTargets: NOTHING_DROPPED };
  }
  // Most endpoints drop nothing: they share one empty list, made only when needed.
  let droppedTargets: DroppedTarget[] = NOTHING_DROPPED;
  const unique = new Set<string>();
  for (const target of raw) {
    const result = toTarget(type, target);
    if (result.ok) unique.add(result.target);
    else {
      if (droppedTargets === NOTHING_DROPPED) droppedTargets = [];
      droppedTargets.push({ target, problem: result.problem });
    }
  }
  const drop = (reason: DropReason, problem: string): TargetsResult => ({ ok: false, reason, problem, droppedTargets });
  if (unique.size === 0) {
    return droppedTargets.length > 0
      ? drop('invalid_target', `no target PowerDNS can hold: ${droppedTargets.map((d) => d.problem).join('; ')}`)
      : drop('no_targets', 'it has no targets');
  }
  if (type === 'CNAME' && unique.size > 1) return drop('cname_targets', `a CNAME has one target, got ${unique.size}`);
  const targets = unique.size === 1 ? [unique.values().next().value!] : [...unique].sort(compareTargets);
  return { ok: true, targets, droppedTargets };
}

/** An endpoint dropped whole, for `reason` (made only then: not a closure per endpoint checked). */
function droppedWhole(reason: DropReason, problem: string): NormalizeResult {
  return { ok: false, reason, problem, droppedTargets: NOTHING_DROPPED };
}

/** The TTL Records reports for a desired one: whole seconds, at most MAX_TTL, the default for none or 0. */
export function normalizeTtl(ttl: number | undefined, defaultTtl: number): number {
  return ttl && ttl > 0 ? Math.min(Math.trunc(ttl), MAX_TTL) : defaultTtl;
}

/** The normalised endpoint, labels copied; the endpoint itself when it is already in that form (see isAlreadyNormal). */
function okResult(
  endpoint: Endpoint,
  dnsName: string,
  targets: string[],
  recordType: string,
  recordTTL: number,
  droppedTargets: DroppedTarget[] = NOTHING_DROPPED,
): NormalizeResult {
  if (isAlreadyNormal(endpoint, dnsName, targets, recordType, recordTTL)) {
    return { ok: true, endpoint, droppedTargets };
  }
  const normalized: Endpoint = { dnsName, targets, recordType, recordTTL };
  if (endpoint.labels && hasKeys(endpoint.labels)) normalized.labels = { ...endpoint.labels };
  return { ok: true, endpoint: normalized, droppedTargets };
}

const NORMAL_FORM_KEYS = new Set(['dnsName', 'targets', 'recordType', 'recordTTL', 'labels']);

/**
 * Whether `endpoint` already is the normalised endpoint made of these parts:
 * the same name, type, TTL and targets (in order), labels only when it has
 * some, and no other key. The endpoints ExternalDNS sends nearly always are.
 *
 * Why: a copy of each checked endpoint (an object and its targets array) is
 * kept by the batch until the backend answers, so a 10k-change batch made
 * 20k more live objects for the garbage collector to copy while it is
 * checked. Measured with bench/powerdns-apply-cpu.mjs (10k creates, CPU per
 * POST in process, medians of 30 rounds, four runs alternating with the build
 * before; with the plugin's target check no longer making an array per
 * change): the SDK pipeline with the plugin 44 -> 39 ms, the whole POST
 * (garbage collection included) 77 -> 64 ms, the median run of each.
 */
export function isAlreadyNormal(
  endpoint: Endpoint,
  dnsName: string,
  targets: readonly string[],
  recordType: string,
  recordTTL: number,
): boolean {
  if (endpoint.dnsName !== dnsName || endpoint.recordType !== recordType || endpoint.recordTTL !== recordTTL) {
    return false;
  }
  const own = endpoint.targets;
  if (own.length !== targets.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== targets[i]) return false;
  if (endpoint.labels !== undefined && !hasKeys(endpoint.labels)) return false;
  for (const key in endpoint) if (!NORMAL_FORM_KEYS.has(key)) return false;
  return true;
}

function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/** The one order targets are reported and written in. */
export function compareTargets(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
