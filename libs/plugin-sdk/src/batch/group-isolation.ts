import type { ChangeGroup, GroupResult, PlannedChange } from '../contract/dns-plugin.interface.js';
import type { Deadline } from '../concurrency/deadline.js';
import { GroupRefusedError, isDnsgateError } from '../errors/dnsgate-errors.js';

/** How a part of a group ended; the pipeline turns these into the report. */
export interface PartOutcome {
  changes: readonly PlannedChange[];
  /** Absent: the backend confirmed these changes. */
  error?: Error;
  /** The deadline passed before the part was sent. */
  notSent?: 'deadline' | 'backend_down';
}

/**
 * Writes one group may take in all to find the change(s) a backend refuses
 * inside it: enough to halve down to two bad changes in a group of any
 * size, bounded so a backend that refuses everything (a policy, not the data)
 * costs a few round trips, not one per change. Said in every plugin README.
 */
export function isolationBudget(groupSize: number): number {
  return Math.min(64, 4 + 4 * Math.ceil(Math.log2(Math.max(2, groupSize))));
}

/**
 * Writes `group` and, when the backend refuses a part of it as a whole
 * (GroupRefusedError), splits that part and writes the pieces, so every
 * change that can land lands and only the change(s) responsible are
 * refused. The split tries first apart the changes the backend's message
 * names (`suspects`), else halves. Stops at the budget (what is left is
 * reported refused, with the backend's reason) and at the deadline (what is
 * left is not sent). A failure that is not about the data (the backend is
 * down, timed out) stops the group: the rest is not sent.
 */
export async function writeIsolating(
  group: ChangeGroup,
  write: (part: ChangeGroup) => Promise<GroupResult | void>,
  deadline: Deadline,
  onPart: (outcome: PartOutcome) => void,
  onSend?: (part: readonly PlannedChange[], sent: boolean) => void,
): Promise<void> {
  const budget = isolationBudget(group.changes.length);
  const queue: Array<readonly PlannedChange[]> = [group.changes];
  let writes = 0;
  let stopped: PartOutcome['notSent'];
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (stopped || deadline.expired) {
      onPart({ changes: part, notSent: stopped ?? 'deadline' });
      continue;
    }
    writes++;
    let result: GroupResult;
    onSend?.(part, true);
    try {
      result = (await write({ zone: group.zone, changes: part })) ?? {};
    } catch (error) {
      result = { failed: [{ changes: part, error: error as Error }] };
    } finally {
      onSend?.(part, false);
    }
    const failed = new Set<PlannedChange>();
    for (const failure of result.failed ?? []) for (const change of failure.changes) failed.add(change);
    const landed = part.filter((change) => !failed.has(change));
    if (landed.length > 0) onPart({ changes: landed });
    const pieces: Array<readonly PlannedChange[]> = [];
    for (const failure of result.failed ?? []) {
      const refused = failure.error instanceof GroupRefusedError || kindOf(failure.error) === 'refused';
      if (refused && failure.changes.length > 1) {
        const split = splitRefused(failure.changes, (failure.error as GroupRefusedError).suspects ?? []);
        // Every write already planned counts: the budget bounds the whole group's round trips.
        if (writes + queue.length + pieces.length + split.length <= budget) {
          pieces.push(...split);
          continue;
        }
      }
      onPart({ changes: failure.changes, error: failure.error });
      const kind = kindOf(failure.error);
      if (kind === 'unavailable' || kind === 'timeout' || kind === 'not_ready') stopped = 'backend_down';
    }
    // Depth first: a refused half is settled before the next half is sent.
    queue.unshift(...pieces);
  }
}

/** The suspects apart (each alone), the rest together; halves when the suspects do not narrow it down. */
export function splitRefused(
  changes: readonly PlannedChange[],
  suspects: readonly number[],
): Array<readonly PlannedChange[]> {
  const named = new Set(suspects.filter((i) => Number.isInteger(i) && i >= 0 && i < changes.length));
  if (named.size > 0 && named.size < changes.length) {
    const rest = changes.filter((_, index) => !named.has(index));
    return [rest, ...[...named].sort((a, b) => a - b).map((index) => [changes[index]!])];
  }
  const middle = Math.ceil(changes.length / 2);
  return [changes.slice(0, middle), changes.slice(middle)];
}

function kindOf(error: Error): string {
  return isDnsgateError(error) ? error.kind : 'internal';
}
