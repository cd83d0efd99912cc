import { toWireEndpoint, type Endpoint, type ZoneRead } from '@dnsgate/plugin-sdk';
import type { Scope } from '../domain-filter/domain-scope.service.js';
import {
  JSON_CLOSE,
  JSON_COMMA,
  JSON_OPEN,
  SerialisedItems,
  countItems,
  type JsonArrayPart,
} from './json-array.stream.js';
import { serialiseReusingRuns } from './serialised-runs.js';

/** The answer of GET /records: each zone read filtered to the scope, in wire form, as runs of one JSON array. */
export class RecordsAnswer {
  constructor(readonly parts: readonly JsonArrayPart[]) {}

  get count(): number {
    return countItems(this.parts);
  }

  /** Items not serialised yet: what streaming the answer would spread over time and memory. */
  get unserialisedCount(): number {
    return countItems(this.parts.filter((part) => !(part instanceof SerialisedItems)));
  }

  /** The whole answer at once, for a short one that goes out with a Content-Length. */
  toBuffer(): Buffer {
    const nonEmpty = this.parts.filter((part) => countItems([part]) > 0);
    const [only] = nonEmpty;
    if (nonEmpty.length === 1 && only instanceof SerialisedItems) return only.bracketed;
    const runs = nonEmpty.map((part) =>
      part instanceof SerialisedItems ? part.chunks : [Buffer.from(JSON.stringify(part).slice(1, -1))],
    );
    const joined = runs.flatMap((run, index) => (index === 0 ? run : [JSON_COMMA, ...run]));
    return Buffer.concat([JSON_OPEN, ...joined, JSON_CLOSE]);
  }
}

/** A read's endpoints inside the scope, in wire form. */
export type ScopeFilter = (endpoints: readonly Endpoint[], scope: Scope) => Endpoint[];

export function recordsAnswer(reads: readonly ZoneRead[], scope: Scope, filter: ScopeFilter): RecordsAnswer {
  return new RecordsAnswer(
    reads.map((read) =>
      read.reusable
        ? serialisedZoneRead(read.endpoints, scope, filter)
        : filter(read.endpoints, scope).map(toWireEndpoint),
    ),
  );
}

const serialisedReads = new WeakMap<readonly Endpoint[], { scopeKey: string; items: SerialisedItems }>();

/**
 * The answer's bytes for a zone read the records cache serves again while the
 * zone does not change: filtered and serialised once, then kept beside the
 * read for as long as the cache keeps the read (a WeakMap: never longer).
 * An unchanged 100k-record zone then costs its revalidation and a write of
 * the kept bytes: serialising it again took about 90–120 ms of the ~150 ms
 * such a read cost on this 2-core machine. A changed zone's new read is
 * serialised reusing the runs of endpoints it shares with the read before.
 */
export function serialisedZoneRead(endpoints: readonly Endpoint[], scope: Scope, filter: ScopeFilter): SerialisedItems {
  const kept = serialisedReads.get(endpoints);
  if (kept?.scopeKey === scope.key) return kept.items;
  const inScope = filter(endpoints, scope).map(toWireEndpoint);
  const items = new SerialisedItems(serialiseReusingRuns(inScope), inScope.length);
  serialisedReads.set(endpoints, { scopeKey: scope.key, items });
  return items;
}
