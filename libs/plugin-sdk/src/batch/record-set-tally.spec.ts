import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { endpointKey, type Endpoint } from '@dnsgate/protocol';
import { RecordSetTally } from './record-set-tally.js';

type Named = Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>;

/** What the pipeline did before the tally: group by endpointKey, keep the groups of two or more, in first-seen order. */
function repeatsByKeyStrings(endpoints: readonly Named[]): number[][] {
  const byKey = new Map<string, number[]>();
  endpoints.forEach((endpoint, index) => {
    const key = endpointKey(endpoint);
    const same = byKey.get(key);
    if (same) same.push(index);
    else byKey.set(key, [index]);
  });
  return [...byKey.values()].filter((same) => same.length > 1);
}

function repeatsByTally(endpoints: readonly Named[]): number[][] {
  const tally = new RecordSetTally<number>();
  endpoints.forEach((endpoint, index) => tally.add(endpoint, index));
  return tally.repeats();
}

describe('RecordSetTally', () => {
  it('finds a record set named twice, and tells apart types and set identifiers at one name', () => {
    const tally = new RecordSetTally<string>();
    tally.add({ dnsName: 'www.example.org', recordType: 'A' }, 'first');
    tally.add({ dnsName: 'www.example.org', recordType: 'TXT' }, 'txt');
    tally.add({ dnsName: 'www.example.org', recordType: 'A', setIdentifier: 'eu' }, 'eu');
    tally.add({ dnsName: 'www.example.org', recordType: 'A' }, 'again');
    tally.add({ dnsName: 'mail.example.org', recordType: 'A' }, 'other');
    expect(tally.hasRepeats).toBe(true);
    expect(tally.repeats()).toEqual([['first', 'again']]);
  });

  it('treats no set identifier and an empty one as the same record set, as endpointKey does', () => {
    const tally = new RecordSetTally<number>();
    tally.add({ dnsName: 'a.example.org', recordType: 'A' }, 1);
    tally.add({ dnsName: 'a.example.org', recordType: 'A', setIdentifier: '' }, 2);
    expect(tally.repeats()).toEqual([[1, 2]]);
  });

  it('reports nothing for a batch of distinct record sets', () => {
    const tally = new RecordSetTally<number>();
    for (let i = 0; i < 1000; i++) tally.add({ dnsName: `host${i}.example.org`, recordType: 'A' }, i);
    expect(tally.hasRepeats).toBe(false);
    expect(tally.repeats()).toEqual([]);
  });

  it('finds exactly the repeats that grouping by endpointKey finds, in the same order', () => {
    const named = fc.record(
      {
        dnsName: fc.constantFrom('a.example.org', 'b.example.org', 'c.example.org'),
        recordType: fc.constantFrom('A', 'AAAA', 'TXT'),
        setIdentifier: fc.constantFrom('', 'eu', 'us'),
      },
      { requiredKeys: ['dnsName', 'recordType'] },
    );
    fc.assert(
      fc.property(fc.array(named, { maxLength: 40 }), (endpoints) => {
        expect(repeatsByTally(endpoints)).toEqual(repeatsByKeyStrings(endpoints));
      }),
    );
  });
});
