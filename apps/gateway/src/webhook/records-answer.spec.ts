import { describe, expect, it } from '@jest/globals';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import type { Scope } from '../domain-filter/domain-scope.service.js';
import { JsonArrayStream } from './json-array.stream.js';
import { recordsAnswer, serialisedZoneRead, type ScopeFilter } from './records-answer.js';

const a = (name: string): Endpoint => ({ dnsName: name, targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 });
const scope = (zones: string[]): Scope => ({
  zones,
  key: zones.join(','),
  includes: (name) => zones.some((zone) => name === zone || name.endsWith(`.${zone}`)),
  labelsFor: () => ({ plugin: 'p', instance: 'p' }),
});
const counting = () => {
  const calls = { n: 0 };
  const filter: ScopeFilter = (endpoints, within) => {
    calls.n++;
    return endpoints.filter((endpoint) => within.includes(endpoint.dnsName));
  };
  return { calls, filter };
};

async function text(stream: JsonArrayStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('serialisedZoneRead', () => {
  it('serialises a reusable read once per scope, and again when the scope differs', () => {
    const read = [a('www.example.org'), a('www.other.test')];
    const { calls, filter } = counting();
    const first = serialisedZoneRead(read, scope(['example.org']), filter);
    expect(serialisedZoneRead(read, scope(['example.org']), filter)).toBe(first);
    expect(calls.n).toBe(1);
    expect(JSON.parse(`[${first.bytes}]`)).toEqual([a('www.example.org')]);
    const wider = serialisedZoneRead(read, scope(['example.org', 'other.test']), filter);
    expect(calls.n).toBe(2);
    expect(wider.count).toBe(2);
    // A new read of the zone (another array) is serialised anew.
    serialisedZoneRead([...read], scope(['example.org']), filter);
    expect(calls.n).toBe(3);
  });
});

describe('recordsAnswer', () => {
  it('is the JSON array of every read inside the scope, whole or streamed', async () => {
    const { filter } = counting();
    const reads = [
      { zone: 'example.org', endpoints: [a('a.example.org'), a('b.example.org')], reusable: true },
      { zone: 'empty.test', endpoints: [], reusable: true },
      { zone: undefined, endpoints: [a('c.example.net'), a('out.of.scope')], reusable: false },
    ];
    const answer = recordsAnswer(reads, scope(['example.org', 'example.net']), filter);
    const expected = [a('a.example.org'), a('b.example.org'), a('c.example.net')];
    expect(answer.count).toBe(3);
    expect(JSON.parse(answer.toBuffer().toString())).toEqual(expected);
    expect(JSON.parse(await text(new JsonArrayStream(answer.parts, 1)))).toEqual(expected);
    expect(recordsAnswer([], scope([]), filter).toBuffer().toString()).toBe('[]');
  });
});
