import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { toWireEndpoint, type Endpoint } from '@dnsgate/plugin-sdk';
import { JSON_SLICE_ITEMS, SerialisedItems } from './json-array.stream.js';
import { RecordsAnswer } from './records-answer.js';
import { SerialisedAhead } from './serialised-ahead.js';

const endpoint = (i: number): Endpoint => ({
  dnsName: `h${i}.example.org`,
  targets: [`192.0.2.${i % 250}`],
  recordType: 'A',
  ...(i % 3 === 0 ? { recordTTL: 300 } : {}),
  ...(i % 7 === 0 ? { labels: { owner: `o${i}` } } : {}),
});
const endpoints = (count: number, from = 0) => Array.from({ length: count }, (_, i) => endpoint(from + i));

/** The answer's bytes from these parts, as the gateway sends them. */
const answerOf = (ahead: SerialisedAhead, result: readonly Endpoint[]) =>
  new RecordsAnswer(ahead.partsOf(result)).toBuffer().toString();
const expected = (result: readonly Endpoint[]) => JSON.stringify(result.map(toWireEndpoint));
const serialisedCount = (ahead: SerialisedAhead, result: readonly Endpoint[]) =>
  ahead
    .partsOf(result)
    .filter((part) => part instanceof SerialisedItems)
    .reduce((sum, part) => sum + (part as SerialisedItems).count, 0);

describe('SerialisedAhead', () => {
  it('answers a result made of the handed batches from their bytes, whatever order they were handed in', () => {
    const zoneA = endpoints(3 * JSON_SLICE_ITEMS + 7);
    const zoneB = endpoints(5, 10_000);
    const ahead = new SerialisedAhead();
    ahead.take(zoneB);
    ahead.take(zoneA.slice(0, 600));
    ahead.take(zoneA.slice(600));
    const result = [...zoneA, ...zoneB];
    expect(ahead.partsOf(result).every((part) => part instanceof SerialisedItems)).toBe(true);
    expect(answerOf(ahead, result)).toBe(expected(result));
  });

  it('serialises what was not handed over, or not as handed, when the answer is made', () => {
    const read = endpoints(50);
    const ahead = new SerialisedAhead();
    ahead.take(read.slice(0, 10));
    ahead.take(read.slice(10, 20));
    ahead.take(read.slice(20, 30));
    // The result holds the second batch but one of its objects replaced (a plugin that copied a set),
    // and the third cut short by a filter: only the first batch is taken as it was serialised.
    const result = [...read.slice(0, 10), ...read.slice(10, 15), { ...read[15]! }, ...read.slice(16, 25)];
    expect(serialisedCount(ahead, result)).toBe(10);
    expect(answerOf(ahead, result)).toBe(expected(result));
  });

  it('takes nothing from a batch whose objects the result holds in another order', () => {
    const read = endpoints(4);
    const ahead = new SerialisedAhead();
    ahead.take(read);
    const result = [read[0]!, read[2]!, read[1]!, read[3]!];
    expect(serialisedCount(ahead, result)).toBe(0);
    expect(answerOf(ahead, result)).toBe(expected(result));
  });

  it('keeps its own copy of a batch: the plugin may go on using the array it handed over', () => {
    const list = endpoints(3);
    const ahead = new SerialisedAhead();
    ahead.take(list);
    list.push(endpoint(3));
    expect(serialisedCount(ahead, list)).toBe(3);
    expect(answerOf(ahead, list)).toBe(expected(list));
  });

  it('leaves a batch it cannot serialise to the answer, instead of failing the read', () => {
    const cyclic: Endpoint & { self?: unknown } = { ...endpoint(1), labels: {} };
    (cyclic.labels as Record<string, unknown>).self = cyclic.labels;
    const ahead = new SerialisedAhead();
    expect(() => ahead.take([cyclic])).not.toThrow();
    expect(ahead.batchCount).toBe(0);
  });

  it('answers exactly JSON.stringify of any result, from any batches handed over', () => {
    const pool = endpoints(40);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(39), fc.nat(12)), { maxLength: 8 }),
        fc.array(fc.nat(39), { maxLength: 60 }),
        fc.constantFrom('picked', 'batches reversed', 'batches reversed, one more inside'),
        (cuts, picks, shape) => {
          const ahead = new SerialisedAhead();
          const batches = cuts.map(([start, length]) => pool.slice(start, start + length));
          for (const batch of batches) ahead.take(batch);
          let result = picks.map((i) => pool[i]!);
          if (shape !== 'picked') result = batches.reverse().flat();
          if (shape === 'batches reversed, one more inside') result.splice(picks[0] ?? 0, 0, endpoint(99));
          return answerOf(ahead, result) === expected(result);
        },
      ),
    );
  });
});
