import { countChanges, describeEndpoint, type Changes, type Endpoint } from '@dnsgate/protocol';
import type { ChangeAction, PlannedChange } from '../contract/dns-plugin.interface.js';
import { DnsgateError } from '../errors/dnsgate-errors.js';

/**
 * Why a change did not land, as a metric label. `invalid`, `no_zone`,
 * `duplicate` and `conflict` are decided before anything is written;
 * `refused` is the backend's own word on the change; the others say the
 * change was not (or may not have been) written for a reason that is not its
 * data.
 */
export type NotAppliedReason =
  | 'invalid'
  | 'no_zone'
  | 'duplicate'
  | 'conflict'
  | 'refused'
  | 'backend'
  | 'unavailable'
  | 'timeout'
  | 'deadline'
  | 'not_ready';

/** One change that did not land, with why. */
export interface NotAppliedChange {
  action: ChangeAction;
  /** The record set the change is about (the desired one for create and update). */
  endpoint: Endpoint;
  reason: NotAppliedReason;
  /** One sentence, never a secret. */
  problem: string;
  /** The change was sent, and no answer says whether it landed (a timeout, a connection lost mid-write). */
  mayHaveLanded?: boolean;
  /** The backend instance it was for, when dnsgate runs several. */
  instance?: string;
}

/** How many changes of each action. */
export type ActionCounts = Record<ChangeAction, number>;

export function countByAction(changes: Iterable<{ action: ChangeAction }>): ActionCounts {
  const counts: ActionCounts = { create: 0, update: 0, delete: 0 };
  for (const change of changes) counts[change.action]++;
  return counts;
}

/** The record set a planned change is about: the desired one where there is one. */
export function subjectOf(change: PlannedChange): Endpoint {
  return (change.desired ?? change.current)!;
}

/** Named in the answer and the log line; the rest are counted. */
const NAMED_AT_MOST = 20;

/**
 * What one ApplyChanges did: the changes the backend confirmed, and each one
 * that did not land with its reason. Built by the batch pipeline as it goes,
 * so a call that runs out of time can still say what had landed by then.
 */
export class BatchReport {
  readonly applied: PlannedChange[] = [];
  readonly notApplied: NotAppliedChange[] = [];
  /**
   * The parts sent and not answered yet, one entry per write rather than per
   * change: a 10k-change write costs two Set operations instead of 20k (about
   * 5 ms of a 10k-create batch, by the micro-benchmark of linked-change.ts).
   */
  readonly sentParts = new Set<readonly PlannedChange[]>();

  constructor(
    /** Changes the batch held once the domain filter cut it. */
    readonly total: number,
    /** Nothing was written: `applied` lists what a real apply would have written. */
    readonly dryRun = false,
  ) {}

  /** Changes sent and not answered yet: they may still land after the call was answered. */
  get inFlight(): ReadonlySet<PlannedChange> {
    const changes = new Set<PlannedChange>();
    for (const part of this.sentParts) for (const change of part) changes.add(change);
    return changes;
  }

  /** `part` was sent (true) or answered (false); the same array both times. */
  markSent(part: readonly PlannedChange[], sent: boolean): void {
    if (sent) this.sentParts.add(part);
    else this.sentParts.delete(part);
  }

  get complete(): boolean {
    return this.notApplied.length === 0 && this.applied.length === this.total;
  }

  /** `3 of 20 changes did not land (17 applied): create MX mail.example.org: refused: …; …` */
  summary(): string {
    const verb = this.dryRun ? 'would' : 'did';
    const applied = this.dryRun ? `${this.applied.length} would be applied` : `${this.applied.length} applied`;
    const missing = this.total - this.applied.length;
    if (missing === 0 && this.notApplied.length === 0)
      return `all ${this.total} changes ${this.dryRun ? 'would land' : 'landed'}`;
    const named = this.notApplied.slice(0, NAMED_AT_MOST).map(describeNotApplied);
    if (this.notApplied.length > NAMED_AT_MOST) named.push(`and ${this.notApplied.length - NAMED_AT_MOST} more`);
    const pending = missing - this.notApplied.length;
    if (pending > 0) named.push(`${pending} not settled yet`);
    return `${missing} of ${this.total} changes ${verb} not land (${applied}): ${named.join('; ')}`;
  }

  /** The status the answer takes: the failure nearest to the infrastructure decides, all retried by ExternalDNS. */
  statusCode(): number {
    const reasons = new Set(this.notApplied.map((n) => n.reason));
    if (reasons.has('deadline') || reasons.has('timeout')) return 504;
    if (reasons.has('unavailable') || reasons.has('not_ready')) return 503;
    if (reasons.has('backend')) return 502;
    return 500;
  }

  /** The body of the soft error: the counts and the first changes named. */
  toJSON(): Record<string, unknown> {
    return {
      applied: this.applied.length,
      notApplied: this.notApplied.length,
      ...(this.dryRun ? { dryRun: true } : {}),
      changes: this.notApplied.slice(0, NAMED_AT_MOST).map((n) => ({
        action: n.action,
        dnsName: n.endpoint.dnsName,
        recordType: n.endpoint.recordType,
        ...(n.endpoint.setIdentifier ? { setIdentifier: n.endpoint.setIdentifier } : {}),
        ...(n.instance ? { instance: n.instance } : {}),
        reason: n.reason,
        problem: n.problem,
        ...(n.mayHaveLanded ? { mayHaveLanded: true } : {}),
      })),
      ...(this.notApplied.length > NAMED_AT_MOST ? { more: this.notApplied.length - NAMED_AT_MOST } : {}),
    };
  }
}

export function describeNotApplied(n: NotAppliedChange): string {
  const landed = n.mayHaveLanded ? ' (it may have landed)' : '';
  const backend = n.instance ? ` on backend "${n.instance}"` : '';
  return `${n.action} ${describeEndpoint(n.endpoint)}${backend}: ${n.reason}: ${n.problem}${landed}`;
}

/**
 * One report for a batch split over several backend instances: every
 * change named with the instance it was for.
 */
export function mergeReports(reports: ReadonlyArray<{ instance: string; report: BatchReport }>): BatchReport {
  const total = reports.reduce((sum, r) => sum + r.report.total, 0);
  const merged = new BatchReport(
    total,
    reports.some((r) => r.report.dryRun),
  );
  for (const { instance, report } of reports) {
    merged.applied.push(...report.applied);
    for (const n of report.notApplied) merged.notApplied.push({ ...n, instance });
    for (const part of report.sentParts) merged.sentParts.add(part);
  }
  return merged;
}

/** A report for changes that never reached the pipeline (the instance had not started): none applied, each named. */
export function reportNotApplied(
  changes: Changes,
  reason: NotAppliedReason,
  problem: string,
  dryRun = false,
): BatchReport {
  const report = new BatchReport(countChanges(changes), dryRun);
  const add = (action: ChangeAction, endpoint: Endpoint) =>
    report.notApplied.push({ action, endpoint, reason, problem });
  for (const endpoint of changes.delete) add('delete', endpoint);
  for (const endpoint of changes.updateNew) add('update', endpoint);
  for (const endpoint of changes.create) add('create', endpoint);
  return report;
}

/**
 * The answer to an ApplyChanges in which some change did not land: a 5xx, so
 * ExternalDNS logs it and plans again at its next reconcile.
 */
export class BatchIncompleteError extends DnsgateError {
  override readonly name: string = 'BatchIncompleteError';
  readonly statusCode: number;
  readonly kind = 'incomplete';

  constructor(readonly report: BatchReport) {
    super(report.summary());
    this.statusCode = report.statusCode();
  }
}
