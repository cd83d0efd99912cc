import type { Endpoint } from '@dnsgate/plugin-sdk';
import { JSON_COMMA } from './json-array.stream.js';

/** A run ends, on average, after this many endpoints (a power of two). */
export const AVERAGE_RUN = 512;

/** What a run of a read's endpoints becomes in the answer: its endpoints in scope, in wire form. */
export type RunInAnswer = (run: readonly Endpoint[]) => readonly Endpoint[];

interface SerialisedRun {
  readonly members: readonly Endpoint[];
  /** Whether the run ended at a boundary of its last name (not only at the end of the read it was cut from). */
  readonly endsAtBoundary: boolean;
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
  while (start < endpoints.length) {
    let run = keptRunAt(endpoints, start, scopeKey);
    if (!run) {
      let last = start;
      while (last < endpoints.length - 1 && !endsRun(endpoints[last]!.dnsName)) last++;
      run = newRun(endpoints, start, last + 1, scopeKey, inAnswer);
    }
    if (run.count > 0) {
      if (chunks.length > 0) chunks.push(JSON_COMMA);
      chunks.push(run.bytes);
      count += run.count;
    }
    start += run.members.length;
  }
  return { chunks, count };
}

/**
 * The run kept for the endpoints from `start` on, when they are its members
 * (the same objects, in order) under the same scope, and it ends where the
 * run cut from these endpoints would: at its last name's boundary, or at the
 * end of this read too. Its names are the same, so its boundaries are too,
 * and the names inside it are not hashed again: a read after 10 changes in
 * a 100k-record zone skips hashing almost every name. Measured in a CPU
 * profile of the gateway, 12 such reads after 10 insertions each: the answer's
 * runs took 13.7 ms a read instead of 17.6 ms.
 */
function keptRunAt(endpoints: readonly Endpoint[], start: number, scopeKey: string): SerialisedRun | undefined {
  const kept = runs.get(endpoints[start]!);
  if (!kept || kept.scopeKey !== scopeKey) return undefined;
  const { members } = kept;
  const end = start + members.length;
  if (end > endpoints.length || !(kept.endsAtBoundary || end === endpoints.length)) return undefined;
  for (let k = 1; k < members.length; k++) if (members[k] !== endpoints[start + k]) return undefined;
  return kept;
}

function newRun(
  endpoints: readonly Endpoint[],
  start: number,
  end: number,
  scopeKey: string,
  inAnswer: RunInAnswer,
): SerialisedRun {
  const members = endpoints.slice(start, end);
  const answered = inAnswer(members);
  const run: SerialisedRun = {
    members,
    endsAtBoundary: endsRun(members[members.length - 1]!.dnsName),
    scopeKey,
    bytes: answered.length > 0 ? Buffer.from(JSON.stringify(answered).slice(1, -1)) : Buffer.alloc(0),
    count: answered.length,
  };
  runs.set(members[0]!, run);
  return run;
}

/** FNV-1a of the name: the same name ends a run wherever it stands. */
function endsRun(name: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash & (AVERAGE_RUN - 1)) === 0;
}
