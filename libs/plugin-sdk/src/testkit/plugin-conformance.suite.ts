import * as fc from 'fast-check';
import {
  EXTERNAL_DNS_RECORD_TYPES,
  emptyChanges,
  endpointKey,
  isWithinDomain,
  normalizeDnsName,
  toWireEndpoint,
  type Changes,
  type Endpoint,
} from '@dnsgate/protocol';
import { BatchIncompleteError, type BatchReport } from '../batch/batch-report.js';
import { Deadline } from '../concurrency/deadline.js';
import type { CallContext, DnsPlugin, EarlyEndpoints } from '../contract/dns-plugin.interface.js';
import type { ZoneVersionExactness, ZoneVersionSource } from '../contract/zone-versions.interface.js';
import { RecordsCachingPlugin } from '../records-cache/records-cache.js';
import { isDnsgateError } from '../errors/dnsgate-errors.js';
import { comparableEndpoints, overlay } from './endpoint-comparison.js';
import { DEFAULT_CALL_BUDGET_MS, drivePlugin, type DriveOptions } from './plugin-driver.js';
import { testGlobals, type ConformanceMatchers } from './jest-globals.js';
import { SINGLE_TARGET_RECORD_TYPES, endpointsArbitrary, sampleTargets } from './record-generators.js';

/** What `setup` hands the suite: a plugin on a real, reachable backend. */
export interface ConformanceFixture {
  /** A new plugin instance, not started yet: the suite calls `start()` and `stop()` itself. */
  plugin: DnsPlugin;
  /** Zones the plugin serves and the suite may write to (two or more enable the cross-zone checks). */
  zones: string[];
  /** Called after each check, after `stop()`: drop the zone, delete the temp dir, … */
  cleanup?(): Promise<void>;
}

export interface PluginConformanceOptions<Fixture extends ConformanceFixture = ConformanceFixture> {
  /** Shown in the describe block, e.g. `powerdns against pdns_server 4.9`. */
  name: string;
  /**
   * A fresh plugin for one check. Called before every check, so start
   * expensive servers once in your own `beforeAll` and give each call a
   * fresh zone or file. The zones should hold no records of their own
   * beyond what the backend needs (SOA, NS at the apex).
   */
  setup(): Promise<Fixture>;
  /** The record types the plugin supports; each gets its own round-trip property. */
  recordTypes: readonly string[];
  /**
   * The TTL the plugin gives a record that arrives without one (e.g. 300).
   * Leave it out when the backend keeps no TTL: AdjustEndpoints must then
   * leave TTLs unset, or ExternalDNS rewrites the records every reconcile.
   */
  defaultTtl?: number;
  /** The TTLs generated endpoints carry (default 60–86400); narrow it to the backend's limits. */
  ttlRange?: { min: number; max: number };
  /** Make the backend fail (stop the server, revoke the key, make the file unwritable); returns the undo. */
  breakBackend?(fixture: Fixture): Promise<() => Promise<void>>;
  /**
   * Records the plugin does not manage, put straight into the backend
   * (another zone on the same server, hand-written lines of a file).
   * `verify` throws unless they are still there, unchanged.
   */
  outsideRecords?: {
    seed(fixture: Fixture): Promise<void>;
    verify(fixture: Fixture): Promise<void>;
  };
  /**
   * Make the backend stall (SIGSTOP the server, hold the zone's lock from
   * another process); returns the undo. Enables the deadline check: a call
   * that stalls is answered as a 504 inside the budget.
   */
  stallBackend?(fixture: Fixture): Promise<() => Promise<void>>;
  /** Whether the stall also holds up reads (default true; false where only writes wait, e.g. on a lock). */
  stallsReads?: boolean;
  /**
   * Record sets in `zone` that pass `checkRecord` and that the backend itself
   * refuses (e.g. an MX to an in-zone name without an address, for BIND):
   * the mixed-batch check puts them among good changes, and expects exactly
   * these named and the good ones landed.
   */
  refusedByBackend?(zone: string): Endpoint[];
  /** Property runs per record type (default 25). Every run writes to the backend and cleans up. */
  numRuns?: number;
  /** A fast-check seed, to replay a failure reported by an earlier run. */
  seed?: number;
  /** Per check (default 120 s): the property checks write to a real backend many times. */
  timeoutMs?: number;
  /** How long `readiness()` may take to turn ready after `start()` (default 15 s). */
  readyTimeoutMs?: number;
  /** Check that AdjustEndpoints drops the ExternalDNS record types not in `recordTypes` (default true). */
  dropsUnsupportedTypes?: boolean;
  /**
   * The exactness of the zone versions the plugin reports
   * (`DnsPlugin.zoneVersions`), for the records cache. Enables the checks
   * of the versions, and of the plugin behind the records cache.
   */
  zoneVersions?: ZoneVersionExactness;
  /**
   * Whether the plugin has `serialisedRecords` (default false). Enables the
   * check that holds it to `records()` byte for byte; every run checks that
   * the plugin has the method exactly when this says so.
   */
  serialisedRecords?: boolean;
}

/** One check of the suite, runnable on its own (the suite's own tests feed it broken plugins). */
export interface ConformanceCheck<Fixture extends ConformanceFixture = ConformanceFixture> {
  name: string;
  run(fixture: Fixture): Promise<void>;
}

/**
 * Registers the dnsgate plugin conformance suite with the test runner
 * (jest, or vitest with globals): one `it` per check, each on a fresh
 * fixture from `setup`.
 *
 * ```ts
 * describePluginConformance({
 *   name: 'hosts',
 *   recordTypes: ['A', 'AAAA'],
 *   setup: async () => ({ plugin: factory.create(options, createTestPluginContext('hosts')), zones: ['example.com'] }),
 * });
 * ```
 */
export function describePluginConformance<Fixture extends ConformanceFixture>(
  options: PluginConformanceOptions<Fixture>,
): void {
  const { describe, it } = testGlobals();
  const checks = conformanceChecks(options);
  describe(`dnsgate plugin conformance: ${options.name}`, () => {
    for (const check of checks) {
      it(check.name, () => runConformanceCheck(options, check), options.timeoutMs ?? 120_000);
    }
  });
}

/** Runs one check on a fresh fixture: setup, start, wait for readiness, the check, stop, cleanup. */
export async function runConformanceCheck<Fixture extends ConformanceFixture>(
  options: PluginConformanceOptions<Fixture>,
  check: ConformanceCheck<Fixture>,
): Promise<void> {
  const fixture = await options.setup();
  try {
    await fixture.plugin.start?.();
    await waitUntilReady(fixture.plugin, options.readyTimeoutMs ?? 15_000);
    await check.run(fixture);
  } finally {
    try {
      await fixture.plugin.stop?.();
    } finally {
      await fixture.cleanup?.();
    }
  }
}

/** The checks `describePluginConformance` registers, in order, for these options. */
export function conformanceChecks<Fixture extends ConformanceFixture>(
  options: PluginConformanceOptions<Fixture>,
): ConformanceCheck<Fixture>[] {
  const types = options.recordTypes.map((type) => type.toUpperCase());
  if (types.length === 0) throw new Error('describePluginConformance: recordTypes is empty');
  for (const type of types) {
    if (!sampleTargets(type)) throw new Error(`describePluginConformance: no generator for record type ${type}`);
  }
  const multiTargetType = types.includes('A') ? 'A' : types.find((type) => !SINGLE_TARGET_RECORD_TYPES.has(type));
  const mainType = multiTargetType ?? types[0]!;
  const ttlRange = options.ttlRange ?? { min: 60, max: 86400 };
  const clampTtl = (ttl: number): number => Math.min(ttlRange.max, Math.max(ttlRange.min, ttl));
  const ttlA = clampTtl(300);
  const ttlB = clampTtl(600) === ttlA ? ttlRange.max : clampTtl(600);
  const numRuns = options.numRuns ?? 25;
  const fcParameters = { numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) };

  /** An endpoint of the main type with its first `count` sample targets (or the ones listed). */
  const sample = (zone: string, label: string, picks: readonly number[] = [0], ttl?: number, type = mainType) => {
    const targets = sampleTargets(type)!;
    const endpoint: Endpoint = {
      dnsName: `${label}.${zone}`,
      recordType: type,
      targets: picks.map((index) => targets[index]!),
    };
    if (ttl !== undefined) endpoint.recordTTL = ttl;
    return endpoint;
  };

  const checks: ConformanceCheck<Fixture>[] = [];
  const add = (name: string, run: (fixture: Fixture) => Promise<void>): void => {
    checks.push({ name, run });
  };

  add('reports the zones it serves and becomes ready', async (f) => {
    const zones = (await f.plugin.zones()).map(normalizeDnsName);
    for (const zone of f.zones) expect(zones).toContain(normalizeDnsName(zone));
    for (const zone of await f.plugin.zones()) expect(zone).toBe(normalizeDnsName(zone));
    expect(await f.plugin.readiness()).toEqual({ ready: true });
  });

  for (const type of types) {
    add(
      `round trip for ${type}: AdjustEndpoints, then ApplyChanges, then Records gives the adjusted endpoints`,
      async (f) => {
        await fc.assert(
          fc.asyncProperty(endpointsArbitrary({ recordType: type, zones: f.zones, ttl: ttlRange }), async (desired) => {
            const before = await readRecords(f);
            try {
              const adjusted = await adjust(f, desired);
              expect(adjusted.map(identity)).toEqual(desired.map(identity));
              await apply(f, { create: adjusted });
              expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, adjusted)));
            } finally {
              await restoreRecords(f, before);
            }
          }),
          fcParameters,
        );
      },
    );
  }

  add('AdjustEndpoints is idempotent', async (f) => {
    const anyType = fc.oneof(
      ...types.map((type) => endpointsArbitrary({ recordType: type, zones: f.zones, ttl: ttlRange })),
    );
    await fc.assert(
      fc.asyncProperty(anyType, async (desired) => {
        const once = await adjust(f, desired);
        const twice = await adjust(f, once);
        expect(comparableEndpoints(twice)).toEqual(comparableEndpoints(once));
      }),
      fcParameters,
    );
  });

  add('AdjustEndpoints normalises names and a missing TTL the way Records reports them', async (f) => {
    const zone = f.zones[0]!;
    const plain = sample(zone, 'ck-norm', [0]);
    const shouted = { ...plain, dnsName: `${plain.dnsName.toUpperCase()}.` };
    const [fromPlain, fromShouted] = await Promise.all([adjust(f, [plain]), adjust(f, [shouted])]);
    expect(comparableEndpoints(fromShouted)).toEqual(comparableEndpoints(fromPlain));
    expect(fromPlain.map((e) => e.dnsName)).toEqual([plain.dnsName]);
    expect(fromPlain.map((e) => (e.recordTTL && e.recordTTL > 0 ? e.recordTTL : 0))).toEqual([options.defaultTtl ?? 0]);
  });

  add('creates a record', async (f) => {
    const before = await readRecords(f);
    const adjusted = await adjust(f, [sample(f.zones[0]!, 'ck-create', [0], ttlA)]);
    await apply(f, { create: adjusted });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, adjusted)));
  });

  add('updates the targets and the TTL of a record', async (f) => {
    const before = await readRecords(f);
    const zone = f.zones[0]!;
    const [old] = await adjust(f, [sample(zone, 'ck-update', [0], ttlA)]);
    await apply(f, { create: [old!] });
    const [next] = await adjust(f, [sample(zone, 'ck-update', [1], ttlB)]);
    await apply(f, { updateOld: [old!], updateNew: [next!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [next!])));
    const [ttlOnly] = await adjust(f, [sample(zone, 'ck-update', [1], ttlA)]);
    await apply(f, { updateOld: [next!], updateNew: [ttlOnly!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [ttlOnly!])));
  });

  add('deletes a record and leaves the others', async (f) => {
    const zone = f.zones[0]!;
    const before = await readRecords(f);
    const [gone, kept] = await adjust(f, [sample(zone, 'ck-delete', [0], ttlA), sample(zone, 'ck-keep', [1], ttlA)]);
    await apply(f, { create: [gone!, kept!] });
    await apply(f, { delete: [gone!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [kept!])));
    await apply(f, { delete: [kept!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(before));
  });

  if (multiTargetType) {
    add(
      `keeps every target of a multi-target ${multiTargetType} record through create, update and delete`,
      async (f) => {
        const zone = f.zones[0]!;
        const before = await readRecords(f);
        const [three] = await adjust(f, [sample(zone, 'ck-multi', [0, 1, 2], ttlA, multiTargetType)]);
        expect(three!.targets.length).toBe(3);
        await apply(f, { create: [three!] });
        expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [three!])));
        const [two] = await adjust(f, [sample(zone, 'ck-multi', [2, 0], ttlA, multiTargetType)]);
        await apply(f, { updateOld: [three!], updateNew: [two!] });
        expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [two!])));
        const [one] = await adjust(f, [sample(zone, 'ck-multi', [1], ttlA, multiTargetType)]);
        await apply(f, { updateOld: [two!], updateNew: [one!] });
        expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [one!])));
        await apply(f, { delete: [one!] });
        expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(before));
      },
    );
  }

  add('applies one batch that spans several zones', async (f) => {
    const [z0, z1 = z0] = f.zones as [string, string?];
    const before = await readRecords(f);
    const [x, y] = await adjust(f, [sample(z0, 'ck-batch-x', [0], ttlA), sample(z1, 'ck-batch-y', [0], ttlA)]);
    await apply(f, { create: [x!, y!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [x!, y!])));
    const [x2, w] = await adjust(f, [sample(z0, 'ck-batch-x', [1], ttlB), sample(z1, 'ck-batch-w', [2], ttlA)]);
    await apply(f, { create: [w!], updateOld: [x!], updateNew: [x2!], delete: [y!] });
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [x2!, w!])));
  });

  add('reports only names within the requested zones', async (f) => {
    const created = await adjust(
      f,
      f.zones.map((zone, index) => sample(zone, `ck-scope-${index}`, [0], ttlA)),
    );
    await apply(f, { create: created });
    const all = await readRecords(f);
    for (const endpoint of all) expect(f.zones.some((zone) => isWithinDomain(endpoint.dnsName, zone))).toBe(true);
    for (const endpoint of created) expect(all.map(endpointKey)).toContain(endpointKey(endpoint));
    for (const zone of f.zones) {
      const scoped = await f.plugin.records({ zones: [zone] }, { deadline: Deadline.in(DEFAULT_CALL_BUDGET_MS) });
      // A zone nested in this one is served on its own; only names of `zone` proper may appear.
      const nested = f.zones.filter((other) => other !== zone && isWithinDomain(other, zone));
      for (const endpoint of scoped) {
        expect({ name: endpoint.dnsName, inZone: isWithinDomain(endpoint.dnsName, zone) }).toEqual({
          name: endpoint.dnsName,
          inZone: true,
        });
        expect(nested.some((inner) => isWithinDomain(endpoint.dnsName, inner))).toBe(false);
      }
      const mine = created
        .filter((e) => isWithinDomain(e.dnsName, zone) && !nested.some((inner) => isWithinDomain(e.dnsName, inner)))
        .map(endpointKey);
      for (const key of mine) expect(scoped.map(endpointKey)).toContain(key);
    }
  });

  add(
    'never changes a record set it handed over during a read (EarlyEndpoints), and reads the same with or without',
    async (f) => {
      const created = await adjust(
        f,
        f.zones.flatMap((zone, index) =>
          Array.from({ length: 40 }, (_, i) =>
            sample(
              zone,
              `ck-early-${index}-${i}`,
              SINGLE_TARGET_RECORD_TYPES.has(mainType) ? [i % 2] : [i % 2, 2],
              ttlA,
            ),
          ),
        ),
      );
      await apply(f, { create: created });
      const handed: Array<{ endpoints: readonly Endpoint[]; json: string }> = [];
      const early: EarlyEndpoints = {
        take: (endpoints) => handed.push({ endpoints: endpoints.slice(), json: JSON.stringify(endpoints) }),
      };
      const read = await f.plugin.records({ zones: f.zones }, { deadline: Deadline.in(DEFAULT_CALL_BUDGET_MS), early });
      // The JSON of a handed-over set may already be on its way to ExternalDNS: the set must stay as it was.
      for (const batch of handed) expect(JSON.stringify(batch.endpoints)).toBe(batch.json);
      expect(comparableEndpoints(read)).toEqual(comparableEndpoints(await readRecords(f)));
      // Declared, so that a plugin's serialisedRecords is never left out of the check below.
      expect(typeof f.plugin.serialisedRecords === 'function').toBe(options.serialisedRecords ?? false);
    },
  );

  if (options.serialisedRecords) {
    add(
      'answers serialisedRecords with the JSON of what records() answers, byte for byte, with its counts',
      async (f) => {
        const created = await adjust(
          f,
          f.zones.flatMap((zone, index) =>
            options.recordTypes.flatMap((type) =>
              [0, 1].map((i) =>
                sample(
                  zone,
                  `ck-json-${index}-${type.toLowerCase()}-${i}`,
                  SINGLE_TARGET_RECORD_TYPES.has(type) ? [i] : [i, 2],
                  i ? ttlA : ttlB,
                  type,
                ),
              ),
            ),
          ),
        );
        await apply(f, { create: created });
        const call = () => ({ deadline: Deadline.in(DEFAULT_CALL_BUDGET_MS) });
        for (const zones of [f.zones, f.zones.slice(0, 1), f.zones.slice(1), []]) {
          const endpoints = await f.plugin.records({ zones }, call());
          const answer = await f.plugin.serialisedRecords!({ zones }, call());
          const expected = JSON.stringify(endpoints.map(toWireEndpoint));
          expect(`[${Buffer.concat(answer.chunks).toString()}]`).toBe(expected);
          expect(answer.count).toBe(endpoints.length);
          const byType = new Map<string, number>();
          for (const { recordType } of endpoints) byType.set(recordType, (byType.get(recordType) ?? 0) + 1);
          expect(new Map(answer.countsByType)).toEqual(byType);
        }
        expect(created.length).not.toBe(0);
        const whole = await f.plugin.serialisedRecords!({ zones: f.zones }, call());
        expect(whole.count).toBeGreaterThanOrEqual(created.length);
      },
    );
  }

  if (options.outsideRecords) {
    const outside = options.outsideRecords;
    add('never touches or reports records it does not manage', async (f) => {
      await outside.seed(f);
      const before = await readRecords(f);
      const zone = f.zones[0]!;
      const [a] = await adjust(f, [sample(zone, 'ck-outside', [0], ttlA)]);
      await apply(f, { create: [a!] });
      const [b] = await adjust(f, [sample(zone, 'ck-outside', [1], ttlB)]);
      await apply(f, { updateOld: [a!], updateNew: [b!] });
      await apply(f, { delete: [b!] });
      expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(before));
      for (const endpoint of before) expect(f.zones.some((z) => isWithinDomain(endpoint.dnsName, z))).toBe(true);
      await outside.verify(f);
    });
  }

  add(
    'two ApplyChanges at once do not interleave: a stale create of the loser is refused, the rest lands',
    async (f) => {
      const [z0, z1 = z0] = f.zones as [string, string?];
      const before = await readRecords(f);
      const first = await adjust(f, [sample(z0, 'ck-race-a1', [0], ttlA), sample(z1, 'ck-race-a2', [0], ttlA)]);
      const second = await adjust(f, [sample(z0, 'ck-race-b1', [1], ttlA), sample(z1, 'ck-race-b2', [1], ttlA)]);
      const disjoint = await Promise.all([applyReport(f, { create: first }), applyReport(f, { create: second })]);
      expect(disjoint.map((report) => report.complete)).toEqual([true, true]);
      expect(comparableEndpoints(await readRecords(f))).toEqual(
        comparableEndpoints(overlay(before, [...first, ...second])),
      );
      await restoreRecords(f, before);

      // Both create one record set with other targets: one batch is checked and written before the other.
      const [mine] = await adjust(f, [sample(z0, 'ck-race-same', [0], ttlA)]);
      const [theirs] = await adjust(f, [sample(z0, 'ck-race-same', [1], ttlB)]);
      const extraMine = (await adjust(f, [sample(z1, 'ck-race-mine', [0], ttlA)]))[0]!;
      const extraTheirs = (await adjust(f, [sample(z1, 'ck-race-theirs', [0], ttlA)]))[0]!;
      const [a, b] = await Promise.all([
        applyReport(f, { create: [mine!, extraMine] }),
        applyReport(f, { create: [theirs!, extraTheirs] }),
      ]);
      const winner = a!.complete ? mine! : theirs!;
      const loser = a!.complete ? b! : a!;
      expect([a!.complete, b!.complete].sort()).toEqual([false, true]);
      expect(notLanded(loser)).toEqual([{ key: endpointKey(mine!), reason: 'conflict' }]);
      expect(loser.applied.length).toBe(1);
      expect(comparableEndpoints(await readRecords(f))).toEqual(
        comparableEndpoints(overlay(before, [winner, extraMine, extraTheirs])),
      );
    },
  );

  add(
    'refuses a stale create, an update and a delete of a missing record, one by one, and applies the rest',
    async (f) => {
      const [z0, z1 = z0] = f.zones as [string, string?];
      const [existing] = await adjust(f, [sample(z0, 'ck-exists', [0], ttlA)]);
      await apply(f, { create: [existing!] });
      const before = await readRecords(f);
      const [again, fresh, missing] = await adjust(f, [
        sample(z0, 'ck-exists', [1], ttlB),
        sample(z1, 'ck-fresh', [0], ttlA),
        sample(z0, 'ck-missing', [0], ttlA),
      ]);
      // Adjusted on its own: AdjustEndpoints keeps one endpoint per record set.
      const [missingNext] = await adjust(f, [sample(z0, 'ck-missing', [1], ttlB)]);
      const report = await applyReport(f, {
        create: [fresh!, again!],
        updateOld: [missing!],
        updateNew: [missingNext!],
        delete: [(await adjust(f, [sample(z1, 'ck-gone', [0], ttlA)]))[0]!],
      });
      expect(notLanded(report)).toEqual(
        [
          { key: endpointKey(again!), reason: 'conflict' },
          { key: endpointKey(missing!), reason: 'conflict' },
          { key: endpointKey({ dnsName: `ck-gone.${z1}`, recordType: mainType }), reason: 'conflict' },
        ].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
      );
      expect(report.applied.length).toBe(1);
      expect(new BatchIncompleteError(report).statusCode).toBe(500);
      expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, [fresh!])));
    },
  );

  add(
    'a mixed batch: the good changes land, exactly the bad ones are named, and Records shows what was applied',
    async (f) => {
      const [z0, z1 = z0] = f.zones as [string, string?];
      const [taken] = await adjust(f, [sample(z0, 'ck-mixed-taken', [0], ttlA)]);
      await apply(f, { create: [taken!] });
      const before = await readRecords(f);
      const good = await adjust(f, [
        sample(z0, 'ck-mixed-good-1', [0], ttlA),
        sample(z1, 'ck-mixed-good-2', [1], ttlA),
        sample(z0, 'ck-mixed-good-3', [2], ttlB),
      ]);
      const stale = (await adjust(f, [sample(z0, 'ck-mixed-taken', [1], ttlB)]))[0]!;
      // Not adjusted: ExternalDNS may send what AdjustEndpoints would have dropped.
      const bad: Endpoint[] = [
        ...(types.includes('A') ? [{ dnsName: `ck-mixed-bad-a.${z0}`, recordType: 'A', targets: ['300.1.2.3'] }] : []),
        // Larger than any DNS message: it would break every transfer of the zone.
        ...(types.includes('TXT')
          ? [{ dnsName: `ck-mixed-bad-txt.${z0}`, recordType: 'TXT', targets: ['x'.repeat(70_000)] }]
          : []),
        ...(options.refusedByBackend?.(z0) ?? []),
      ];
      const report = await applyReport(f, { create: [good[0]!, ...bad, stale, good[1]!, good[2]!] });
      const named = notLanded(report);
      expect(named.map((n) => n.key)).toEqual(
        [...bad.map((e) => endpointKey({ ...e, dnsName: normalizeDnsName(e.dnsName) })), endpointKey(stale)].sort(),
      );
      for (const n of named) expect(['invalid', 'refused', 'conflict']).toContain(n.reason);
      expect(report.applied.length).toBe(good.length);
      expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(overlay(before, good)));
    },
  );

  add('a dry-run reads, checks and plans like an apply, names the same changes, and changes nothing', async (f) => {
    const [z0, z1 = z0] = f.zones as [string, string?];
    const [taken, kept] = await adjust(f, [
      sample(z0, 'ck-dry-taken', [0], ttlA),
      sample(z1, 'ck-dry-kept', [0], ttlA),
    ]);
    await apply(f, { create: [taken!, kept!] });
    const before = await readRecords(f);
    const good = await adjust(f, [sample(z0, 'ck-dry-good', [0], ttlA), sample(z1, 'ck-dry-good-2', [1], ttlA)]);
    const stale = (await adjust(f, [sample(z1, 'ck-dry-kept', [1], ttlB)]))[0]!;
    const batch = { create: [...good, stale], delete: [taken!] };
    const dry = await applyReport(f, batch, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(notLanded(dry)).toEqual([{ key: endpointKey(stale), reason: 'conflict' }]);
    expect(dry.applied.length).toBe(3);
    expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(before));
    const real = await applyReport(f, batch);
    expect(notLanded(real)).toEqual(notLanded(dry));
    expect(real.applied.length).toBe(dry.applied.length);
  });

  if (options.breakBackend) {
    const breakBackend = options.breakBackend;
    add('answers a broken backend with a retryable 5xx error', async (f) => {
      const before = await readRecords(f);
      const [fresh] = await adjust(f, [sample(f.zones[0]!, 'ck-broken', [0], ttlA)]);
      const restore = await breakBackend(f);
      let readError: unknown;
      let writeError: unknown;
      try {
        readError = await caught(readRecords(f));
        writeError = await caught(apply(f, { create: [fresh!] }));
      } finally {
        await restore();
      }
      for (const error of [readError, writeError]) expectRetryable(error);
      await waitUntilReady(f.plugin, options.readyTimeoutMs ?? 15_000);
      expect(comparableEndpoints(await readRecords(f))).toEqual(comparableEndpoints(before));
    });
  }

  if (options.stallBackend) {
    const stallBackend = options.stallBackend;
    add('a call on a stalled backend is answered with a 504 inside the budget, and nothing is lost', async (f) => {
      const before = await readRecords(f);
      const [fresh] = await adjust(f, [sample(f.zones[0]!, 'ck-stalled', [0], ttlA)]);
      const budgetMs = 2_000;
      const resume = await stallBackend(f);
      const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
        const started = Date.now();
        const value = await work();
        return { value, ms: Date.now() - started };
      };
      let read: { value: unknown; ms: number };
      let apply: { value: BatchReport; ms: number };
      try {
        read = await timed(() =>
          readRecords(f, budgetMs).then(
            () => undefined,
            (error: unknown) => error,
          ),
        );
        apply = await timed(() => applyReport(f, { create: [fresh!] }, { budgetMs }));
      } finally {
        await resume();
      }
      const [readError, report, readMs, applyMs] = [read.value, apply.value, read.ms, apply.ms];
      if (options.stallsReads ?? true) expect(describeError(readError).statusCode).toBe(504);
      expect(new BatchIncompleteError(report).statusCode).toBe(504);
      // Printed on a failure: how long each call took against the budget.
      const within = (ms: number) => ms < budgetMs + 2_500;
      expect({ readMs, applyMs, read: within(readMs), apply: within(applyMs) }).toEqual({
        readMs,
        applyMs,
        read: true,
        apply: true,
      });
      await waitUntilReady(f.plugin, options.readyTimeoutMs ?? 15_000);
      // The stalled create may land once the backend resumes; either way the next reconcile converges.
      const after = await readRecords(f);
      const settled = comparableEndpoints(after);
      const landed = settled.some((e) => e.dnsName === normalizeDnsName(fresh!.dnsName));
      expect(settled).toEqual(comparableEndpoints(landed ? overlay(before, [fresh!]) : before));
    });
  }

  const unsupported = EXTERNAL_DNS_RECORD_TYPES.filter((type) => !types.includes(type) && sampleTargets(type));
  if ((options.dropsUnsupportedTypes ?? true) && unsupported.length > 0) {
    add(`drops the record types it does not support in AdjustEndpoints (${unsupported.join(', ')})`, async (f) => {
      const zone = f.zones[0]!;
      const offered = unsupported.map((type, index) => sample(zone, `ck-unsupported-${index}`, [0], ttlA, type));
      const supported = sample(zone, 'ck-supported', [0], ttlA);
      const adjusted = await adjust(f, [...offered, supported]);
      expect(adjusted.map((e) => e.recordType)).toEqual([mainType]);
    });
  }

  if (options.zoneVersions) {
    const exactness = options.zoneVersions;
    const call = (): CallContext => ({ deadline: Deadline.in(DEFAULT_CALL_BUDGET_MS) });
    const sourceOf = (f: Fixture): ZoneVersionSource => {
      expect(f.plugin.zoneVersions?.exactness).toBe(exactness);
      return f.plugin.zoneVersions!;
    };
    const recordsOf = async (f: Fixture, zone: string) =>
      comparableEndpoints(await drivePlugin(f.plugin).records({ zones: [zone] }));

    add(
      'zone versions: steady while nothing changes, a versioned read equal to Records, the difference equal to a whole read',
      async (f) => {
        const source = sourceOf(f);
        const zone = f.zones[0]!;
        const before = await readRecords(f);
        try {
          await apply(f, { create: [sample(zone, 'ck-version-a', [0], ttlA)] });
          const first = (await source.currentVersions([zone], call())).get(zone);
          expect(typeof first).toBe('string');
          expect((await source.currentVersions([zone], call())).get(zone)).toBe(first);
          const whole = await source.readVersionedZone(zone, call());
          expect(whole.version).toBe(first);
          expect(comparableEndpoints([...whole.endpoints])).toEqual(await recordsOf(f, zone));

          await apply(f, {
            create: [sample(zone, 'ck-version-b', [0], ttlA)],
            delete: [sample(zone, 'ck-version-a', [0], ttlA)],
          });
          const second = (await source.currentVersions([zone], call())).get(zone);
          if (exactness === 'exact') expect(second).not.toBe(first);
          const now = await recordsOf(f, zone);
          if (source.readZoneDifference) {
            const difference = await source.readZoneDifference(zone, whole, call());
            if (difference) {
              expect(difference.version).toBe(second);
              expect(comparableEndpoints([...difference.endpoints])).toEqual(now);
            }
          }
          const again = await source.readVersionedZone(zone, call());
          expect(comparableEndpoints([...again.endpoints])).toEqual(now);
        } finally {
          await restoreRecords(f, before);
        }
      },
    );

    add('behind the records cache: an unchanged zone served again, a write seen by the next read', async (f) => {
      const cached = new RecordsCachingPlugin(f.plugin, sourceOf(f), { maxAgeMs: DEFAULT_CALL_BUDGET_MS });
      const through: ConformanceFixture = { plugin: cached, zones: f.zones };
      const before = await readRecords(through);
      try {
        const zone = f.zones[0]!;
        const first = await cached.readZones({ zones: [zone] }, call());
        const second = await cached.readZones({ zones: [zone] }, call());
        expect(second[0]!.endpoints).toBe(first[0]!.endpoints);
        const added = sample(zone, 'ck-cached', [0], ttlA);
        await apply(through, { create: [added] });
        expect(comparableEndpoints(await readRecords(through))).toEqual(comparableEndpoints(await readRecords(f)));
        expect((await readRecords(through)).map(endpointKey)).toContain(endpointKey(added));
      } finally {
        await restoreRecords(through, before);
      }
    });
  }

  return checks;

  function expect(actual: unknown): ConformanceMatchers {
    return testGlobals().expect(actual);
  }
}

function identity(endpoint: Endpoint): { dnsName: string; recordType: string } {
  return { dnsName: normalizeDnsName(endpoint.dnsName), recordType: endpoint.recordType.toUpperCase() };
}

function readRecords(f: ConformanceFixture, budgetMs?: number): Promise<Endpoint[]> {
  return drivePlugin(f.plugin).records({ zones: f.zones }, budgetMs === undefined ? {} : { budgetMs });
}

/** Plugins get copies, as they would from the wire: one that mutates its input must not corrupt the check. */
function adjust(f: ConformanceFixture, endpoints: readonly Endpoint[]): Promise<Endpoint[]> {
  return drivePlugin(f.plugin).adjustEndpoints(structuredClone([...endpoints]));
}

function applyReport(
  f: ConformanceFixture,
  changes: Partial<Changes>,
  options: DriveOptions = {},
): Promise<BatchReport> {
  return drivePlugin(f.plugin).applyReport(structuredClone(changes), options);
}

function apply(f: ConformanceFixture, changes: Partial<Changes>): Promise<void> {
  return drivePlugin(f.plugin).applyChanges(structuredClone(changes));
}

/** Puts the backend back to `before` after a check: deletes what was added, rewrites what changed. */
async function restoreRecords(f: ConformanceFixture, before: readonly Endpoint[]): Promise<void> {
  const wanted = new Map(before.map((e) => [endpointKey(e), e]));
  const now = await readRecords(f);
  const changes = emptyChanges();
  for (const endpoint of now) {
    const original = wanted.get(endpointKey(endpoint));
    if (!original) changes.delete.push(endpoint);
    else if (JSON.stringify(comparableEndpoints([original])) !== JSON.stringify(comparableEndpoints([endpoint]))) {
      changes.updateOld.push(endpoint);
      changes.updateNew.push(original);
    }
  }
  const present = new Set(now.map(endpointKey));
  for (const [key, endpoint] of wanted) if (!present.has(key)) changes.create.push(endpoint);
  if (changes.create.length + changes.updateNew.length + changes.delete.length > 0) await apply(f, changes);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function describeError(error: unknown): Record<string, unknown> {
  return {
    isDnsgateError: isDnsgateError(error),
    name: (error as Error | undefined)?.name,
    message: (error as Error | undefined)?.message,
    statusCode: (error as { statusCode?: unknown } | undefined)?.statusCode,
    kind: (error as { kind?: unknown } | undefined)?.kind,
  };
}

/** The identities of the changes a report says did not land, with their reasons. */
function notLanded(report: BatchReport): Array<{ key: string; reason: string }> {
  return report.notApplied
    .map((n) => ({
      key: endpointKey({ ...n.endpoint, dnsName: normalizeDnsName(n.endpoint.dnsName) }),
      reason: n.reason,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One of the SDK's errors with a status ExternalDNS retries (500–510). */
function expectRetryable(error: unknown): void {
  const seen = describeError(error);
  const status = typeof seen.statusCode === 'number' ? seen.statusCode : -1;
  testGlobals()
    .expect({ isDnsgateError: seen.isDnsgateError, retryable: status >= 500 && status <= 510, error: seen })
    .toEqual({ isDnsgateError: true, retryable: true, error: seen });
}

async function waitUntilReady(plugin: DnsPlugin, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const readiness = await plugin.readiness();
    if (readiness.ready) return;
    if (Date.now() > deadline) {
      throw new Error(`the plugin did not become ready within ${timeoutMs} ms: ${readiness.reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
