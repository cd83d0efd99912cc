import { toWireEndpoint, type Endpoint, type ZoneRead } from '@dnsgate/plugin-sdk';
import { isSerialisedRead, type BackendRead } from '../backends/backend-read.js';
import type { Scope } from '../domain-filter/domain-scope.service.js';
import {
  JSON_CLOSE,
  JSON_COMMA,
  JSON_OPEN,
  SerialisedItems,
  countItems,
  type JsonArrayPart,
} from './json-array.stream.js';
import type { SerialisedAhead } from './serialised-ahead.js';
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

  /**
   * The whole answer as chunks whose concatenation is its JSON, the
   * serialised parts' chunks uncopied: for an answer whose items are (nearly
   * all) serialised already, written at once with a Content-Length.
   */
  toChunks(): Buffer[] {
    const runs = this.parts
      .filter((part) => countItems([part]) > 0)
      .map((part) =>
        part instanceof SerialisedItems ? part.chunks : [Buffer.from(JSON.stringify(part).slice(1, -1))],
      );
    return [JSON_OPEN, ...runs.flatMap((run, index) => (index === 0 ? run : [JSON_COMMA, ...run])), JSON_CLOSE];
  }

  /** The whole answer in one buffer. */
  toBuffer(): Buffer {
    return Buffer.concat(this.toChunks());
  }
}

/** A read's endpoints inside the scope. */
export type ScopeFilter = (endpoints: readonly Endpoint[], scope: Scope) => Endpoint[];

/**
 * The answer of these reads: one its plugin answered as JSON as it is (the
 * backend read it so only where the scope takes it unchanged), a reusable
 * one (the records cache's) serialised by runs kept with it, any other from
 * the JSON made while it was read where its plugin handed record sets over
 * (`ahead`), else when sent.
 */
export function recordsAnswer(
  reads: readonly BackendRead[],
  scope: Scope,
  filter: ScopeFilter,
  ahead?: SerialisedAhead,
): RecordsAnswer {
  return new RecordsAnswer(
    reads.flatMap((read): JsonArrayPart[] => {
      if (isSerialisedRead(read)) return [new SerialisedItems(read.serialised.chunks, read.serialised.count)];
      if (read.reusable) return [serialisedZoneRead(read, scope, filter)];
      const inScope = zoneReadInScope(read, scope, filter);
      return ahead ? ahead.partsOf(inScope) : [inScope.map(toWireEndpoint)];
    }),
  );
}

/**
 * A read's endpoints inside the scope: the read itself, uncopied, where the
 * scope takes every name of the read's zone (no domain filter configured, see
 * Scope.includesEveryNameWithin) and every name is within that zone, which
 * one pass of `endsWith` shows; else the filter's pass over each name. A
 * read of no one zone (the records cache off: the plugin's read of all the
 * instance's zones) is checked against the scope's zone when it has only one.
 * A name of a child zone is the child's: the filter, like the plugins, keeps
 * it out of the parent's answer only where the scope leaves the child out,
 * and a child left out means a domain filter, so the filter's pass.
 * Measured on the 2-core machine (load 5), 100k names: 7 ms instead of 40 ms
 * for the filter's pass and the copy it makes (about 25 ms of each uncached
 * 100k-record read in a profile at load 8).
 */
export function zoneReadInScope(read: ZoneRead, scope: Scope, filter: ScopeFilter): readonly Endpoint[] {
  const { endpoints } = read;
  const zone = read.zone ?? (scope.zones.length === 1 ? scope.zones[0] : undefined);
  if (zone !== undefined && scope.includesEveryNameWithin(zone) && allWithinZone(endpoints, zone)) return endpoints;
  return filter(endpoints, scope);
}

/** Whether every endpoint's name is `zone` or ends in `.zone`, as written (no normalising). */
function allWithinZone(endpoints: readonly Endpoint[], zone: string): boolean {
  const suffix = `.${zone}`;
  for (const { dnsName } of endpoints) {
    if (dnsName !== zone && !dnsName.endsWith(suffix)) return false;
  }
  return true;
}

const serialisedReads = new WeakMap<readonly Endpoint[], { scopeKey: string; items: SerialisedItems }>();

/**
 * The answer's bytes for a zone read the records cache serves again while the
 * zone does not change: filtered and serialised once, then kept beside the
 * read for as long as the cache keeps the read (a WeakMap: never longer).
 * An unchanged 100k-record zone then costs its revalidation and a write of
 * the kept bytes: serialising it again took about 90–120 ms of the ~150 ms
 * such a read cost on this 2-core machine. A changed zone's new read is
 * filtered and serialised run by run, reusing the runs of endpoints it shares
 * with the read before (serialiseReusingRuns).
 */
export function serialisedZoneRead(read: ZoneRead, scope: Scope, filter: ScopeFilter): SerialisedItems {
  const kept = serialisedReads.get(read.endpoints);
  if (kept?.scopeKey === scope.key) return kept.items;
  const zone = read.zone;
  const { chunks, count } = serialiseReusingRuns(read.endpoints, scope.key, (run) =>
    zoneReadInScope({ zone, endpoints: run, reusable: true }, scope, filter).map(toWireEndpoint),
  );
  const items = new SerialisedItems(chunks, count);
  serialisedReads.set(read.endpoints, { scopeKey: scope.key, items });
  return items;
}
