import { describe, expect, it } from '@jest/globals';
import { Deadline } from '../concurrency/deadline.js';
import type { ChangeGroup, PlannedChange } from '../contract/dns-plugin.interface.js';
import { BackendUnavailableError, GroupRefusedError } from '../errors/dnsgate-errors.js';
import { isolationBudget, splitRefused, writeIsolating, type PartOutcome } from './group-isolation.js';

const change = (name: string): PlannedChange => ({
  action: 'create',
  desired: { dnsName: `${name}.example.org`, recordType: 'A', targets: ['192.0.2.1'] },
});
const group = (count: number): ChangeGroup => ({
  zone: 'example.org',
  changes: Array.from({ length: count }, (_, i) => change(`h${i}`)),
});
const names = (changes: readonly PlannedChange[]) => changes.map((c) => c.desired!.dnsName.split('.')[0]);

/** A backend that refuses, as a whole, every group holding one of `bad`. */
function refusing(bad: Set<string>, writes: string[][]) {
  return async (part: ChangeGroup) => {
    writes.push(names(part.changes) as string[]);
    if (part.changes.some((c) => bad.has(c.desired!.dnsName.split('.')[0]!))) throw new GroupRefusedError('REFUSED');
  };
}

async function run(count: number, bad: string[], deadline = Deadline.in(10_000)) {
  const writes: string[][] = [];
  const outcomes: PartOutcome[] = [];
  await writeIsolating(group(count), refusing(new Set(bad), writes), deadline, (o) => outcomes.push(o));
  const landed = outcomes.filter((o) => !o.error && !o.notSent).flatMap((o) => names(o.changes));
  const refused = outcomes.filter((o) => o.error).flatMap((o) => names(o.changes));
  return { writes, landed: landed.sort(), refused: refused.sort(), outcomes };
}

describe('writeIsolating', () => {
  it('writes a group the backend takes in one write', async () => {
    const { writes, landed } = await run(20, []);
    expect(writes).toHaveLength(1);
    expect(landed).toHaveLength(20);
  });

  it('finds the one change a backend refuses among 20 and lands the other 19, in a few writes', async () => {
    const { writes, landed, refused } = await run(20, ['h13']);
    expect(refused).toEqual(['h13']);
    expect(landed).toHaveLength(19);
    expect(writes.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(20)));
  });

  it('isolates two bad changes in different halves', async () => {
    const { landed, refused } = await run(64, ['h3', 'h50']);
    expect(refused).toEqual(['h3', 'h50']);
    expect(landed).toHaveLength(62);
  });

  it('stops splitting at the budget when the backend refuses everything, and reports the rest refused', async () => {
    const everything = Array.from({ length: 200 }, (_, i) => `h${i}`);
    const { writes, landed, refused } = await run(200, everything);
    expect(landed).toEqual([]);
    expect(refused).toHaveLength(200);
    expect(writes.length).toBeLessThanOrEqual(isolationBudget(200) + 1);
  });

  it('tries apart first the changes the backend names', async () => {
    const writes: string[][] = [];
    const outcomes: PartOutcome[] = [];
    await writeIsolating(
      group(10),
      async (part) => {
        writes.push(names(part.changes) as string[]);
        if (part.changes.some((c) => c.desired!.dnsName.startsWith('h7.'))) {
          throw new GroupRefusedError('RRset h7 conflicts', {
            suspects: [part.changes.findIndex((c) => c.desired!.dnsName.startsWith('h7.'))],
          });
        }
      },
      Deadline.in(10_000),
      (o) => outcomes.push(o),
    );
    expect(writes).toHaveLength(3);
    expect(writes[1]).not.toContain('h7');
    expect(writes[2]).toEqual(['h7']);
  });

  it('does not split on a failure that is not about the data, and sends nothing more', async () => {
    const writes: number[] = [];
    const outcomes: PartOutcome[] = [];
    await writeIsolating(
      group(8),
      async (part) => {
        writes.push(part.changes.length);
        throw new BackendUnavailableError('connection refused');
      },
      Deadline.in(10_000),
      (o) => outcomes.push(o),
    );
    expect(writes).toEqual([8]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error).toBeInstanceOf(BackendUnavailableError);
  });

  it('sends nothing once the deadline has passed', async () => {
    const { writes, outcomes } = await run(4, [], Deadline.in(0));
    expect(writes).toEqual([]);
    expect(outcomes.map((o) => o.notSent)).toEqual(['deadline']);
  });

  it('keeps the changes a plugin names as failed in its result apart from those that landed', async () => {
    const outcomes: PartOutcome[] = [];
    const g = group(3);
    await writeIsolating(
      g,
      async (part) => ({ failed: [{ changes: [part.changes[1]!], error: new Error('disk full') }] }),
      Deadline.in(10_000),
      (o) => outcomes.push(o),
    );
    expect(outcomes.map((o) => [names(o.changes), o.error?.message])).toEqual([
      [['h0', 'h2'], undefined],
      [['h1'], 'disk full'],
    ]);
  });
});

describe('splitRefused', () => {
  it('halves when no suspect narrows it down', () => {
    const changes = group(5).changes;
    expect(splitRefused(changes, []).map((p) => p.length)).toEqual([3, 2]);
    expect(splitRefused(changes, [0, 1, 2, 3, 4]).map((p) => p.length)).toEqual([3, 2]);
  });

  it('puts each suspect alone and the rest together, ignoring indexes out of range', () => {
    const changes = group(5).changes;
    expect(splitRefused(changes, [3, 1, 9]).map(names)).toEqual([['h0', 'h2', 'h4'], ['h1'], ['h3']]);
  });
});
