import {
  describeEndpoint,
  endpointKey,
  normalizeDnsName,
  ZoneIndex,
  type Changes,
  type Endpoint,
} from '@dnsgate/protocol';
import { Deadline } from '../concurrency/deadline.js';
import { Limiter } from '../concurrency/limiter.js';
import { Mutex } from '../concurrency/mutex.js';
import type {
  ChangeAction,
  DnsPlugin,
  PlannedChange,
  RecordRole,
  ZoneState,
} from '../contract/dns-plugin.interface.js';
import { isDnsgateError } from '../errors/dnsgate-errors.js';
import { BusyLoopTurns, nextTurn } from './busy-loop-turns.js';
import { BatchReport, subjectOf, type NotAppliedChange, type NotAppliedReason } from './batch-report.js';
import { writeIsolating, type PartOutcome } from './group-isolation.js';
import { LinkedChange } from './linked-change.js';
import { RecordSetTally } from './record-set-tally.js';

/** An endpoint AdjustEndpoints left out, with why (logged and counted by the caller). */
export interface DroppedEndpoint {
  endpoint: Endpoint;
  reason: string;
  problem: string;
}

export interface AdjustResult {
  endpoints: Endpoint[];
  dropped: DroppedEndpoint[];
  /** Targets left out of endpoints that were kept. */
  droppedTargets: Array<{ endpoint: Endpoint; target: string; problem: string }>;
}

export interface ApplyOptions {
  /** The zones the batch may write to (the plugin's, cut by the domain filter). */
  zones: readonly string[];
  deadline: Deadline;
  /** Read, check and plan as a real apply would, and write nothing. */
  dryRun?: boolean;
}

/** A batch being applied: its report fills in as it goes. */
export interface BatchRun {
  report: BatchReport;
  /** Resolves when the last change is settled (never rejects). */
  finished: Promise<BatchReport>;
  /**
   * The report as it stands, every change not settled yet counted as not
   * applied for the deadline (those sent and unanswered as "may have landed"):
   * the answer when the call runs out of time while the run goes on.
   */
  atDeadline(): BatchReport;
}

interface Item {
  action: ChangeAction;
  /** As received, for the report while it is not checked yet. */
  received: Endpoint;
  planned?: PlannedChange;
  zone?: string;
  settled: boolean;
  /** The received name normalised, and the zone it falls in: found once (locateItems), for the zone reads and the check. */
  receivedName?: string;
  receivedZone?: string;
}

/**
 * An item with every field it will get, set from the start: one shape for
 * all items, its fields inside the object. Made with three and given the
 * other four as the batch went, each of 10k items grew a separate property
 * store (about 0.5 MB more for the collector to copy while the batch is
 * live; heap sampling of the in-process 10k-create apply).
 */
function newItem(action: ChangeAction, received: Endpoint): Item {
  return {
    action,
    received,
    planned: undefined,
    zone: undefined,
    settled: false,
    receivedName: undefined,
    receivedZone: undefined,
  };
}

const DEFAULT_ZONE_READS = 4;
const DEFAULT_GROUP_WRITES = 1;
/** Changes checked between two turns of the event loop (see BusyLoopTurns): about 2 ms of a PowerDNS batch. */
const PLAN_SLICE = 512;

/**
 * The one batch contract, for every plugin: every change that can land,
 * lands; every change that cannot is named, with why. In order:
 *
 * 1. check and normalise each change (`checkRecord`), find its zone on a label
 *    boundary, refuse a record set named twice in the batch;
 * 2. read the current state of each zone the batch touches (`readZoneState`),
 *    and refuse a change that does not fit it (a create of a record set that
 *    exists, an update or delete of one that does not: a stale plan);
 * 3. write one group per zone (`writeGroup`), deletes then updates then
 *    creates, isolating what the backend refuses (see `writeIsolating`);
 * 4. stop starting backend work when the deadline passes.
 *
 * One batch at a time per backend instance (the batch lock): its check and
 * its writes must not interleave with another batch's.
 */
export class BatchPipeline {
  private readonly lock = new Mutex();

  constructor(private readonly plugin: DnsPlugin) {}

  /**
   * AdjustEndpoints: each endpoint in the form Records will report it, or
   * dropped with why (so ExternalDNS does not plan what cannot be held).
   */
  adjust(endpoints: readonly Endpoint[], zones: readonly string[]): AdjustResult {
    const index = new ZoneIndex(zones);
    const result: AdjustResult = { endpoints: [], dropped: [], droppedTargets: [] };
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      const checked = checkInZone(this.plugin, endpoint, index, 'desired');
      if (!checked.ok) {
        result.dropped.push({ endpoint, reason: checked.reason, problem: checked.problem });
        continue;
      }
      for (const { target, problem } of checked.droppedTargets)
        result.droppedTargets.push({ endpoint, target, problem });
      const key = endpointKey(checked.endpoint);
      if (seen.has(key)) {
        result.dropped.push({
          endpoint,
          reason: 'duplicate',
          problem: `another endpoint already sets ${describeEndpoint(checked.endpoint)}`,
        });
        continue;
      }
      seen.add(key);
      result.endpoints.push(checked.endpoint);
    }
    return dropCnamesBesideData(result, new Set(zones.map(normalizeDnsName)));
  }

  /** Starts applying `changes`; see BatchRun. */
  apply(changes: Changes, options: ApplyOptions): BatchRun {
    const items: Item[] = [];
    for (const endpoint of changes.delete) items.push(newItem('delete', endpoint));
    const pairs = Math.max(changes.updateOld.length, changes.updateNew.length);
    for (let i = 0; i < pairs; i++) {
      const received = changes.updateNew[i] ?? changes.updateOld[i]!;
      items.push(newItem('update', received));
    }
    for (const endpoint of changes.create) items.push(newItem('create', endpoint));
    const report = new BatchReport(items.length, options.dryRun ?? false);
    const run = new PipelineRun(this.plugin, items, report, options, changes);
    const finished = this.lock
      .run(() => run.execute())
      .catch((error: unknown) => run.failRemaining(error))
      .then(() => report);
    return { report, finished, atDeadline: () => run.atDeadline() };
  }
}

/**
 * A CNAME may not share its name with other data (RFC 1034 3.6.2): every
 * backend refuses or silently ignores it. Only the CNAME is dropped; the
 * other records at the name stay. A zone's apex is left to the plugin: one
 * that accepts a CNAME there writes it as something that may sit beside the
 * SOA and NS (PowerDNS's ALIAS), and one that cannot refuses it itself.
 */
function dropCnamesBesideData(result: AdjustResult, apexes: ReadonlySet<string>): AdjustResult {
  const typesAt = new Map<string, Set<string>>();
  for (const endpoint of result.endpoints) {
    const types = typesAt.get(endpoint.dnsName) ?? new Set<string>();
    types.add(endpoint.recordType);
    typesAt.set(endpoint.dnsName, types);
  }
  const kept: Endpoint[] = [];
  for (const endpoint of result.endpoints) {
    if (endpoint.recordType === 'CNAME' && !apexes.has(endpoint.dnsName) && typesAt.get(endpoint.dnsName)!.size > 1) {
      result.dropped.push({
        endpoint,
        reason: 'cname_conflict',
        problem: `${endpoint.dnsName} would hold a CNAME and other records; DNS allows only the CNAME`,
      });
    } else {
      kept.push(endpoint);
    }
  }
  result.endpoints = kept;
  return result;
}

type CheckedEndpoint =
  | { ok: true; endpoint: Endpoint; zone: string; droppedTargets: ReadonlyArray<{ target: string; problem: string }> }
  | { ok: false; reason: string; problem: string };

/**
 * The pipeline's record check: the zone on a label boundary, then the plugin's
 * own check. `located` is the batch item whose normalised name and zone
 * locateItems already found (the item itself: no object made per change to carry them).
 */
function checkInZone(
  plugin: DnsPlugin,
  endpoint: Endpoint,
  index: ZoneIndex,
  role: RecordRole,
  located?: { receivedName?: string; receivedZone?: string | undefined },
): CheckedEndpoint {
  const name = located
    ? located.receivedName!
    : typeof endpoint?.dnsName === 'string'
      ? normalizeDnsName(endpoint.dnsName)
      : '';
  const zone = located ? located.receivedZone : index.find(name);
  if (zone === undefined) {
    return { ok: false, reason: 'no_zone', problem: `no managed zone holds ${JSON.stringify(name)}` };
  }
  const checked = plugin.checkRecord(endpoint, zone, role);
  if (!checked.ok) return checked;
  // The plugin may rewrite the name (an IDN to its A-label): it must stay in the same zone.
  if (checked.endpoint.dnsName !== name && index.find(checked.endpoint.dnsName) !== zone) {
    return { ok: false, reason: 'no_zone', problem: `no managed zone holds ${checked.endpoint.dnsName}` };
  }
  return { ok: true, endpoint: checked.endpoint, zone, droppedTargets: checked.droppedTargets ?? [] };
}

/**
 * The zones a batch's names fall in, found before the batch is checked, so
 * that their reads overlap the checks (the plugin's normalisation of a name
 * may still move a change elsewhere: the plan decides, and a zone read for
 * nothing is only a wasted read). Measured on a 10k-create PowerDNS batch:
 * the zone read (about 26 ms) no longer adds to the checks (about 126 ms).
 *
 * Each item keeps its normalised name and zone (`receivedName`,
 * `receivedZone`), so that the check does not find them a second time: one
 * normalisation and one zone lookup per change instead of two (about 4 ms of
 * the 10k-create batch's planning, in-process medians on this machine).
 */
export function locateItems(
  items: ReadonlyArray<{ received: Endpoint; receivedName?: string; receivedZone?: string }>,
  zones: readonly string[],
): string[] {
  const index = new ZoneIndex(zones);
  const found = new Set<string>();
  for (const item of items) {
    const name = typeof item.received?.dnsName === 'string' ? normalizeDnsName(item.received.dnsName) : '';
    const zone = index.find(name);
    item.receivedName = name;
    item.receivedZone = zone;
    if (zone !== undefined) found.add(zone);
  }
  return [...found];
}

/** The item of a change the pipeline planned (every change a write settles is one). */
function itemOf(change: PlannedChange): Item {
  const item = LinkedChange.linkOf<Item>(change);
  if (item === undefined) throw new Error('a write settled a change the batch pipeline did not plan');
  return item;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** What the plan builds as it goes over the items (see PipelineRun.planRun). */
interface Planning {
  index: ZoneIndex;
  tally: RecordSetTally<Item>;
  byZone: Map<string, Item[]>;
  turns: BusyLoopTurns;
  /** Updates planned so far: the position of the next in updateOld/updateNew. */
  updates: number;
}

/** One batch's way through the pipeline. */
class PipelineRun {
  constructor(
    private readonly plugin: DnsPlugin,
    private readonly items: Item[],
    private readonly report: BatchReport,
    private readonly options: ApplyOptions,
    private readonly changes: Changes,
  ) {}

  async execute(): Promise<void> {
    const { deadline } = this.options;
    if (deadline.expired) return this.notSent('deadline', 'the deadline of the call passed before the batch began');
    const limits = this.plugin.concurrency ?? {};
    const reads = new Limiter(limits.zoneReads ?? DEFAULT_ZONE_READS);
    /** A zone's state, its read's error, or undefined when the deadline passed before it was read. */
    const readState = (zone: string): Promise<ZoneState | Error | undefined> =>
      reads.run(async () => {
        if (deadline.expired) return undefined;
        return this.plugin.readZoneState(zone, { deadline }).catch((error: unknown) => toError(error));
      });
    const stateReads = new Map(locateItems(this.items, this.options.zones).map((zone) => [zone, readState(zone)]));
    // One turn of the event loop, so that the reads are on their way while the checks below take the CPU
    // (which give it more turns as they go: a read on a fresh connection needs several).
    await nextTurn();
    const byZone = await this.plan();
    const states = new Map<string, ZoneState>();
    for (const [zone, zoneItems] of byZone) {
      const state = await (stateReads.get(zone) ?? readState(zone));
      if (state === undefined) continue;
      if (!(state instanceof Error)) {
        states.set(zone, state);
        continue;
      }
      for (const item of zoneItems) {
        this.settle(item, reasonOf(state), `reading zone ${zone} to check the batch: ${messageOf(state)}`);
      }
    }
    const groups: Array<{ zone: string; changes: PlannedChange[] }> = [];
    for (const [zone, zoneItems] of byZone) {
      const state = states.get(zone);
      if (!state) continue;
      const writable = this.fitting(zoneItems, state);
      if (writable.length > 0) groups.push({ zone, changes: writable });
    }
    if (this.options.dryRun) {
      for (const group of groups) for (const change of group.changes) this.landed(change);
      return this.notSent('deadline', 'the deadline of the call passed before the batch was checked');
    }
    const writes = new Limiter(limits.groupWrites ?? DEFAULT_GROUP_WRITES);
    await Promise.all(
      groups.map((group) =>
        writes.run(() =>
          writeIsolating(
            group,
            (part) => this.plugin.writeGroup(part, { deadline }),
            deadline,
            (outcome) => this.record(outcome),
            (part, sent) => {
              this.report.markSent(part, sent);
            },
          ),
        ),
      ),
    );
    this.notSent('deadline', 'the deadline of the call passed before the batch was checked');
  }

  /**
   * Checks every change and groups the writable ones by zone, in the order
   * deletes, updates, creates: one pass over the changes, the record sets
   * named twice found by a RecordSetTally (no key string per change), a
   * second pass only when some were. The zone reads go on meanwhile (see BusyLoopTurns).
   */
  private async plan(): Promise<Map<string, Item[]>> {
    const planning: Planning = {
      index: new ZoneIndex(this.options.zones),
      tally: new RecordSetTally<Item>(),
      byZone: new Map<string, Item[]>(),
      turns: new BusyLoopTurns(PLAN_SLICE),
      updates: 0,
    };
    const { tally, byZone } = planning;
    for (let next = 0; next < this.items.length;) {
      next = this.planRun(next, planning);
      if (next < this.items.length) await nextTurn();
    }
    if (!tally.hasRepeats) return byZone;
    for (const same of tally.repeats()) {
      for (const item of same) {
        const subject = subjectOf(item.planned!);
        this.settle(item, 'duplicate', `${describeEndpoint(subject)} appears ${same.length} times in one batch`);
      }
    }
    // The groups without the duplicates, zones in the order of their first change still written.
    byZone.clear();
    for (const item of this.items) {
      if (item.settled || !item.planned) continue;
      const list = byZone.get(item.zone!);
      if (list) list.push(item);
      else byZone.set(item.zone!, [item]);
    }
    return byZone;
  }

  /**
   * The planned changes of `zoneItems` that fit the zone's state; the others
   * settled as conflicts. Synchronous, so that V8 optimises its loop (see planRun).
   */
  private fitting(zoneItems: readonly Item[], state: ZoneState): PlannedChange[] {
    const writable: PlannedChange[] = [];
    for (let i = 0; i < zoneItems.length; i++) {
      const item = zoneItems[i]!;
      if (item.settled) continue;
      const conflict = conflictOf(item.planned!, state);
      if (conflict) this.settle(item, 'conflict', conflict);
      else writable.push(item.planned!);
    }
    return writable;
  }

  /**
   * Plans the items from `start` until a turn of the event loop is due (or
   * the last item); answers where to go on.
   *
   * Why a function of its own: V8 does not optimise a loop running inside
   * an async function (no on-stack replacement into one), so the plan's loop
   * over 10k changes ran in the interpreter, its `for…of` making an iterator
   * result per change; in a synchronous function it is optimised like any
   * other. Measured in process (bench/powerdns-apply-cpu.mjs, 10k creates,
   * CPU medians of 40 rounds, three runs alternating with the build before),
   * together with the items' one shape (newItem), no object per change to
   * carry its located name (checkInZone) and lowerCased/upperCased: the SDK
   * pipeline with the plugin 35.1, 42.7, 49.3 -> 25.4, 26.4, 40.9 ms, the
   * whole POST 51.1, 59.1, 72.8 -> 43.9, 47.0, 66.8 ms; 10.1 -> 8.6 MB
   * allocated per POST (heap sampling).
   */
  private planRun(start: number, planning: Planning): number {
    const { items } = this;
    const { index, tally, byZone, turns } = planning;
    let at = start;
    while (at < items.length) {
      const item = items[at++]!;
      const planned =
        item.action === 'update' ? this.planUpdate(item, planning.updates++, index) : this.planOne(item, index);
      if (planned !== undefined) {
        item.planned = planned;
        tally.add(subjectOf(planned), item);
        const list = byZone.get(item.zone!);
        if (list) list.push(item);
        else byZone.set(item.zone!, [item]);
      }
      if (turns.due()) break;
    }
    return at;
  }

  /** A create or a delete, checked; undefined (and the item settled) when it cannot be written. */
  private planOne(item: Item, index: ZoneIndex): PlannedChange | undefined {
    const role: RecordRole = item.action === 'create' ? 'desired' : 'current';
    const checked = checkInZone(
      this.plugin,
      item.received,
      index,
      role,
      item.receivedName === undefined ? undefined : item,
    );
    if (!checked.ok) {
      this.settle(item, checked.reason === 'no_zone' ? 'no_zone' : 'invalid', checked.problem);
      return undefined;
    }
    item.zone = checked.zone;
    return item.action === 'create'
      ? new LinkedChange<Item>('create', item, undefined, checked.endpoint)
      : new LinkedChange<Item>('delete', item, checked.endpoint, undefined);
  }

  /** The update at `position` of updateOld/updateNew, checked; undefined (and the item settled) when it cannot be written. */
  private planUpdate(item: Item, position: number, index: ZoneIndex): PlannedChange | undefined {
    const old = this.changes.updateOld[position];
    const next = this.changes.updateNew[position];
    const fail = (reason: NotAppliedReason, problem: string): undefined => void this.settle(item, reason, problem);
    if (!old || !next) return fail('invalid', 'updateOld and updateNew do not pair up');
    const current = checkInZone(this.plugin, old, index, 'current');
    const located = item.receivedName === undefined || item.received !== next ? undefined : item;
    const desired = checkInZone(this.plugin, next, index, 'desired', located);
    if (!current.ok) return fail(current.reason === 'no_zone' ? 'no_zone' : 'invalid', current.problem);
    if (!desired.ok) return fail(desired.reason === 'no_zone' ? 'no_zone' : 'invalid', desired.problem);
    if (endpointKey(current.endpoint) !== endpointKey(desired.endpoint)) {
      return fail(
        'invalid',
        `the update pairs ${describeEndpoint(current.endpoint)} with another record set, ${describeEndpoint(desired.endpoint)}`,
      );
    }
    item.zone = desired.zone;
    return new LinkedChange<Item>('update', item, current.endpoint, desired.endpoint);
  }

  private record(outcome: PartOutcome): void {
    if (outcome.notSent) {
      const problem =
        outcome.notSent === 'deadline'
          ? 'not sent: the deadline of the call passed'
          : 'not sent: the backend failed on an earlier part of the batch';
      for (const change of outcome.changes) {
        this.settle(itemOf(change), outcome.notSent === 'deadline' ? 'deadline' : 'unavailable', problem);
      }
      return;
    }
    if (!outcome.error) {
      for (const change of outcome.changes) this.landed(change);
      return;
    }
    const reason = reasonOf(outcome.error);
    const group =
      outcome.changes.length > 1 && reason === 'refused'
        ? ` (refused with ${outcome.changes.length - 1} other changes; the isolation budget was spent)`
        : '';
    for (const change of outcome.changes) {
      this.settle(itemOf(change), reason, `${messageOf(outcome.error)}${group}`, reason === 'timeout');
    }
  }

  private landed(change: PlannedChange): void {
    const item = itemOf(change);
    if (item.settled) return;
    item.settled = true;
    this.report.applied.push(change);
  }

  private settle(item: Item, reason: NotAppliedReason, problem: string, mayHaveLanded = false): void {
    if (item.settled) return;
    item.settled = true;
    const endpoint = item.planned ? subjectOf(item.planned) : item.received;
    const entry: NotAppliedChange = { action: item.action, endpoint, reason, problem };
    if (mayHaveLanded) entry.mayHaveLanded = true;
    this.report.notApplied.push(entry);
  }

  atDeadline(): BatchReport {
    const snapshot = new BatchReport(this.report.total, this.report.dryRun);
    snapshot.applied.push(...this.report.applied);
    snapshot.notApplied.push(...this.report.notApplied);
    const inFlight = this.report.inFlight;
    for (const item of this.items) {
      if (item.settled) continue;
      const sent = item.planned !== undefined && inFlight.has(item.planned);
      const endpoint = item.planned ? subjectOf(item.planned) : item.received;
      snapshot.notApplied.push({
        action: item.action,
        endpoint,
        reason: 'deadline',
        problem: sent
          ? 'sent to the backend, no answer before the deadline of the call'
          : 'not sent before the deadline of the call',
        ...(sent ? { mayHaveLanded: true } : {}),
      });
    }
    return snapshot;
  }

  /** Every change not settled yet: not applied, for `reason`. */
  notSent(reason: NotAppliedReason, problem: string): void {
    for (const item of this.items) if (!item.settled) this.settle(item, reason, problem);
  }

  /** A throw from the pipeline itself (a plugin's checkRecord that threw): nothing left is applied. */
  failRemaining(error: unknown): void {
    this.notSent(reasonOf(error), messageOf(error));
  }
}

/** Why a planned change does not fit the zone as it is now, or undefined when it does. */
export function conflictOf(change: PlannedChange, state: ZoneState): string | undefined {
  if (change.action === 'create') {
    return state.holds(change.desired!)
      ? `cannot create ${describeEndpoint(change.desired!)}: it already exists`
      : undefined;
  }
  return state.holds(change.current!)
    ? undefined
    : `cannot ${change.action} ${describeEndpoint(change.current!)}: it does not exist`;
}

const REASON_OF_KIND: Record<string, NotAppliedReason> = {
  unavailable: 'unavailable',
  timeout: 'timeout',
  backend: 'backend',
  refused: 'refused',
  rejected: 'refused',
  not_ready: 'not_ready',
  deadline: 'deadline',
};

function reasonOf(error: unknown): NotAppliedReason {
  return isDnsgateError(error) ? (REASON_OF_KIND[error.kind] ?? 'backend') : 'backend';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A ZoneState over a set of `endpointKey`s, for plugins that read whole record sets. */
export function zoneStateOfKeys(keys: ReadonlySet<string>): ZoneState {
  return { holds: (endpoint) => keys.has(endpointKey(endpoint)) };
}

/** A ZoneState over endpoints as `records()` reports them. */
export function zoneStateOf(endpoints: Iterable<Endpoint>): ZoneState {
  const keys = new Set<string>();
  for (const endpoint of endpoints) keys.add(endpointKey(endpoint));
  return zoneStateOfKeys(keys);
}
