import type { Endpoint } from '@dnsgate/plugin-sdk';
import { JSON_COMMA } from './json-array.stream.js';

/** A run ends, on average, after this many endpoints (a power of two). */
export const AVERAGE_RUN = 512;

/** What a run of a read's endpoints becomes in the answer: its endpoints in scope, in wire form. */
export type RunInAnswer = (run: readonly Endpoint[]) => readonly Endpoint[];

interface SerialisedRun {
  readonly members: readonly Endpoint[];
  /** The scope the bytes were cut to (Scope.key). */
  readonly scopeKey: string;
  /** Empty when no member of the run is in the answer. */
  readonly bytes: Buffer;
  readonly count: number;
}

/** Chunks whose concatenation is `JSON.stringify` of the answer's endpoints without brackets, and how many. */
export interface SerialisedRuns {
  readonly chunks: Buffer[];
  readonly count: number;
}

/** Keyed by a run's first endpoint: the run dies with it. */
const runs = new WeakMap<Endpoint, SerialisedRun>();

/**
 * The answer of a read's endpoints, each run cut to the scope, put in wire
 * form and serialised by `inAnswer`, reusing all three for every run of
 * endpoints that was answered before as the same objects in the same order
 * under the same scope. A difference read (IXFR) shares the record sets it
 * did not touch with the read before it, so after 10 changes in a
 * 100k-record zone only the runs holding the changes are filtered, converted
 * and serialised again. Runs end where an endpoint's name hashes to a
 * boundary (content-defined, like rsync's chunks), so an insertion or a
 * deletion changes its own run and not every run after it.
 * Measured on the 2-core machine (load 9–11), 100k endpoints after 10
 * insertions: 20–50 ms instead of 80–180 ms for JSON.stringify of them all.
 * Cutting each run to the scope (instead of the whole read before the runs)
 * left out the filter and wire-form passes over all 100k endpoints: 40–75 ms
 * of a read after changes at load 5 (bench/records-cache.bench.ts).
 */
export function serialiseReusingRuns(
  endpoints: readonly Endpoint[],
  scopeKey: string,
  inAnswer: RunInAnswer,
): SerialisedRuns {
  const chunks: Buffer[] = [];
  let count = 0;
  let start = 0;
  for (let index = 0; index < endpoints.length; index++) {
    if (index === endpoints.length - 1 || endsRun(endpoints[index]!.dnsName)) {
      const run = serialisedRun(endpoints, start, index + 1, scopeKey, inAnswer);
      if (run.count > 0) {
        if (chunks.length > 0) chunks.push(JSON_COMMA);
        chunks.push(run.bytes);
        count += run.count;
      }
      start = index + 1;
    }
  }
  return { chunks, count };
}

function serialisedRun(
  endpoints: readonly Endpoint[],
  start: number,
  end: number,
  scopeKey: string,
  inAnswer: RunInAnswer,
): SerialisedRun {
  const first = endpoints[start]!;
  const kept = runs.get(first);
  if (
    kept &&
    kept.scopeKey === scopeKey &&
    kept.members.length === end - start &&
    kept.members.every((m, k) => m === endpoints[start + k])
  ) {
    return kept;
  }
  const members = endpoints.slice(start, end);
  const answered = inAnswer(members);
  const run: SerialisedRun = {
    members,
    scopeKey,
    bytes: answered.length > 0 ? Buffer.from(JSON.stringify(answered).slice(1, -1)) : Buffer.alloc(0),
    count: answered.length,
  };
  runs.set(first, run);
  return run;
}

/** FNV-1a of the name: the same name ends a run wherever it stands. */
function endsRun(name: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash & (AVERAGE_RUN - 1)) === 0;
}
