import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SerialisedRecordsBuilder, recordSetJson, type Endpoint, type ZoneRead } from '@dnsgate/plugin-sdk';
import type { Backends } from '../backends/backends.service.js';
import { GatewayOptions } from '../config/gateway.options.js';
import { DomainScope, type Scope } from '../domain-filter/domain-scope.service.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { JsonArrayStream } from './json-array.stream.js';
import { recordsAnswer, serialisedZoneRead, zoneReadInScope, type ScopeFilter } from './records-answer.js';

const a = (name: string): Endpoint => ({ dnsName: name, targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 });
const scope = (zones: string[]): Scope => ({
  zones,
  key: zones.join(','),
  includes: (name) => zones.some((zone) => name === zone || name.endsWith(`.${zone}`)),
  includesEveryNameWithin: () => false,
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
const reusable = (zone: string, endpoints: Endpoint[]): ZoneRead => ({ zone, endpoints, reusable: true });

/** The gateway's own scope of these zones under this domain filter. */
function domainScope(zones: string[], filter: Partial<GatewayOptions> = {}): DomainScope {
  const options = Object.assign(new GatewayOptions(), filter);
  const backends = { ownedZones: async () => [[{ labels: () => ({ plugin: 'p', instance: 'p' }) }, zones]] };
  return new DomainScope(options, backends as unknown as Backends, {} as GatewayMetrics);
}

async function text(stream: JsonArrayStream): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
  return Buffer.concat(chunks).toString();
}

describe('serialisedZoneRead', () => {
  it('serialises a reusable read once per scope, and again when the scope differs', () => {
    const read = reusable('example.org', [a('www.example.org'), a('www.other.test')]);
    const { calls, filter } = counting();
    const first = serialisedZoneRead(read, scope(['example.org']), filter);
    expect(serialisedZoneRead(read, scope(['example.org']), filter)).toBe(first);
    const filtered = calls.n;
    expect(filtered).toBeGreaterThan(0);
    expect(JSON.parse(`[${Buffer.concat(first.chunks)}]`)).toEqual([a('www.example.org')]);
    const wider = serialisedZoneRead(read, scope(['example.org', 'other.test']), filter);
    expect(calls.n).toBeGreaterThan(filtered);
    expect(wider.count).toBe(2);
  });
});

describe('zoneReadInScope', () => {
  it('answers a read of an in-scope zone as it is when no domain filter is configured: no filter pass', async () => {
    const within = await domainScope(['example.org', 'sub.example.org']).current();
    const read = reusable('example.org', [a('example.org'), a('www.example.org'), a('x.sub.example.org')]);
    const { calls, filter } = counting();
    expect(zoneReadInScope(read, within, filter)).toBe(read.endpoints);
    expect(calls.n).toBe(0);
  });

  it("still cuts out a child zone's names where the domain filter leaves the child zone out", async () => {
    const gateway = domainScope(['example.org', 'sub.example.org'], { excludeDomains: ['sub.example.org'] });
    const within = await gateway.current();
    const read = reusable('example.org', [a('www.example.org'), a('x.sub.example.org'), a('sub.example.org')]);
    const cut = zoneReadInScope(read, within, (endpoints, s) => gateway.filterEndpoints(endpoints, s));
    expect(cut).toEqual([a('www.example.org')]);
    const answer = recordsAnswer([read], within, (endpoints, s) => gateway.filterEndpoints(endpoints, s));
    expect(JSON.parse(answer.toBuffer().toString())).toEqual([a('www.example.org')]);
  });

  it("answers a read of no one zone as it is when the scope's only zone holds every name", async () => {
    const within = await domainScope(['example.org']).current();
    const read: ZoneRead = { zone: undefined, endpoints: [a('a.example.org'), a('b.example.org')], reusable: false };
    const { calls, filter } = counting();
    expect(zoneReadInScope(read, within, filter)).toBe(read.endpoints);
    expect(calls.n).toBe(0);
    const two = await domainScope(['example.org', 'example.net']).current();
    expect(zoneReadInScope(read, two, filter)).toEqual(read.endpoints);
    expect(calls.n).toBe(1);
  });

  it('filters a read holding a name outside its zone, and one of no zone', async () => {
    const gateway = domainScope(['example.org']);
    const within = await gateway.current();
    const filter: ScopeFilter = (endpoints, s) => gateway.filterEndpoints(endpoints, s);
    const stray = [a('www.example.org'), a('www.other.test')];
    expect(zoneReadInScope(reusable('example.org', stray), within, filter)).toEqual([a('www.example.org')]);
    expect(zoneReadInScope({ zone: undefined, endpoints: stray, reusable: false }, within, filter)).toEqual([
      a('www.example.org'),
    ]);
  });

  it('answers exactly what the filter keeps, for any names and domain filter', async () => {
    const names = [
      'example.org',
      'www.example.org',
      'WWW.Example.org',
      'www.example.org.',
      'x.sub.example.org',
      'sub.example.org',
      'deep.x.sub.example.org',
      'myexample.org',
      'www.other.test',
      'a.other.test',
      'xn--bcher-kva.example.org',
    ];
    const filters: Array<Partial<GatewayOptions>> = [
      {},
      { excludeDomains: ['sub.example.org'] },
      { domainFilter: ['example.org'] },
      { domainFilter: ['other.test'] },
      { regexDomainExclusion: '^www\\.' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...filters),
        fc.subarray(['example.org', 'sub.example.org', 'other.test'], { minLength: 1 }),
        fc.constantFrom('example.org', 'sub.example.org', 'other.test', undefined),
        fc.array(fc.constantFrom(...names), { maxLength: 12 }),
        async (configured, zones, zone, picked) => {
          const gateway = domainScope(zones, configured);
          const within = await gateway.current();
          // A zone's read is asked for zones in scope; a read of no one zone (the cache off) for all of them.
          if (zone !== undefined && !within.zones.includes(zone)) return;
          const endpoints = picked.map(a);
          const filter: ScopeFilter = (list, s) => gateway.filterEndpoints(list, s);
          const read: ZoneRead = { zone, endpoints, reusable: zone !== undefined };
          expect(zoneReadInScope(read, within, filter)).toEqual(filter(endpoints, within));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('recordsAnswer', () => {
  it('is the JSON array of every read inside the scope, whole or streamed', async () => {
    const { filter } = counting();
    const reads = [
      reusable('example.org', [a('a.example.org'), a('b.example.org')]),
      reusable('empty.test', []),
      { zone: undefined, endpoints: [a('c.example.net'), a('out.of.scope')], reusable: false },
    ];
    const answer = recordsAnswer(reads, scope(['example.org', 'example.net']), filter);
    const expected = [a('a.example.org'), a('b.example.org'), a('c.example.net')];
    expect(answer.count).toBe(3);
    expect(JSON.parse(answer.toBuffer().toString())).toEqual(expected);
    expect(Buffer.concat(answer.toChunks())).toEqual(answer.toBuffer());
    expect(JSON.parse(await text(new JsonArrayStream(answer.parts, 1)))).toEqual(expected);
    expect(recordsAnswer([], scope([]), filter).toBuffer().toString()).toBe('[]');
    // One cached zone: its chunks are those kept with the read, not copies of them.
    const one = reads.slice(0, 2);
    const kept = recordsAnswer(one, scope(['example.org']), filter).toChunks();
    const again = recordsAnswer(one, scope(['example.org']), filter).toChunks();
    expect(again[1]).toBe(kept[1]);
    expect(JSON.parse(Buffer.concat(kept).toString())).toEqual(expected.slice(0, 2));
  });

  it('sends a read its plugin answered as JSON as it is, beside the others, unfiltered and uncopied', () => {
    const { calls, filter } = counting();
    const json = new SerialisedRecordsBuilder();
    json.add(recordSetJson('d.example.com', ['192.0.2.1'], 'A', 300), 'A');
    json.add(recordSetJson('e.example.com', ['192.0.2.1'], 'A', 300), 'A');
    const serialised = json.result();
    const answer = recordsAnswer(
      [reusable('example.org', [a('a.example.org')]), { serialised }, reusable('empty.test', [])],
      scope(['example.org', 'example.com']),
      filter,
    );
    expect(answer.count).toBe(3);
    expect(JSON.parse(answer.toBuffer().toString())).toEqual([
      a('a.example.org'),
      a('d.example.com'),
      a('e.example.com'),
    ]);
    expect(answer.toChunks()).toContain(serialised.chunks[0]);
    expect(calls.n).toBe(1);
  });
});
