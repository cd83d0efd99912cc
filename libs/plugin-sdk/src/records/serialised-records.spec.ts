import { recordSetJson, toWireEndpoint, type Endpoint } from '@dnsgate/protocol';
import { SerialisedRecordsBuilder, joinedRecords } from './serialised-records.js';

const a = (name: string): Endpoint => ({ dnsName: name, targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 });
const txt = (name: string): Endpoint => ({ dnsName: name, targets: ['"x"'], recordType: 'TXT' });

/** An answer built from these endpoints, flushed after the indexes in `flushAfter`. */
function built(endpoints: readonly Endpoint[], flushAfter: readonly number[] = []) {
  const builder = new SerialisedRecordsBuilder();
  endpoints.forEach((e, i) => {
    builder.add(recordSetJson(e.dnsName, e.targets, e.recordType, e.recordTTL ?? 0), e.recordType);
    if (flushAfter.includes(i)) builder.flush();
  });
  return builder.result();
}

const json = (chunks: readonly Buffer[]) => `[${Buffer.concat(chunks).toString()}]`;

describe('SerialisedRecordsBuilder', () => {
  it('makes chunks that join into the JSON array of the record sets, however often flushed', () => {
    const endpoints = [a('a.test'), txt('b.test'), a('c.test')];
    const expected = JSON.stringify(endpoints.map(toWireEndpoint));
    for (const flushAfter of [[], [0], [0, 1, 2], [1, 1]]) {
      const answer = built(endpoints, flushAfter);
      expect(json(answer.chunks)).toBe(expected);
      expect(answer.chunks).toHaveLength(Math.min(3, new Set([...flushAfter, 2]).size));
      expect(answer.count).toBe(3);
      expect(Object.fromEntries(answer.countsByType)).toEqual({ A: 2, TXT: 1 });
    }
    expect(built([])).toEqual({ chunks: [], count: 0, countsByType: new Map() });
  });
});

describe('joinedRecords', () => {
  it('is the answers one after the other, as their records() results concatenated', () => {
    const first = [a('a.test'), txt('b.test')];
    const second = [a('c.test')];
    const joined = joinedRecords([built(first, [0]), built([]), built(second)]);
    expect(json(joined.chunks)).toBe(JSON.stringify([...first, ...second].map(toWireEndpoint)));
    expect(joined.count).toBe(3);
    expect(Object.fromEntries(joined.countsByType)).toEqual({ A: 2, TXT: 1 });
    expect(joinedRecords([built([]), built([])])).toEqual({ chunks: [], count: 0, countsByType: new Map() });
  });
});
