import { describe, expect, it } from '@jest/globals';
import { endpointKey, emptyChanges, type Endpoint } from '@dnsgate/protocol';
import { Deadline } from '../concurrency/deadline.js';
import type { CallContext, ChangeGroup, DnsPlugin, GroupResult, ZoneState } from '../contract/dns-plugin.interface.js';
import type { VersionedZone, ZoneVersionExactness, ZoneVersionSource } from '../contract/zone-versions.interface.js';
import { BatchPipeline, zoneStateOfKeys } from '../batch/batch-pipeline.js';
import {
  RecordsCachingPlugin,
  recordsCacheApplies,
  type RecordsCacheObserver,
  type ZoneReadKind,
} from './records-cache.js';

const ZONES = ['example.org', 'example.net'];
const a = (name: string, target = '192.0.2.1'): Endpoint => ({ dnsName: name, recordType: 'A', targets: [target] });
const call = (): CallContext => ({ deadline: Deadline.in(5_000) });

/** Zones in memory with a serial per zone; counts every backend read by kind. */
class VersionedFake implements DnsPlugin {
  readonly zonesHeld = new Map<string, Map<string, Endpoint>>(ZONES.map((zone) => [zone, new Map()]));
  readonly serials = new Map<string, number>(ZONES.map((zone) => [zone, 1]));
  readonly calls = { versions: 0, whole: 0, difference: 0, records: 0, zoneState: 0, writes: 0 };
  set exactness(exactness: ZoneVersionExactness) {
    Object.assign(this.zoneVersions, { exactness });
  }
  /** Whether a write moves the serial (PowerDNS without SOA-EDIT-API does not). */
  bumpOnWrite = true;
  /** Whether writes throw before changing anything (as a lost answer looks). */
  writeFails = false;
  /** Whether the backend can read a difference; when not, it answers undefined. */
  differences = true;
  /** Zones left out of currentVersions' answer. */
  readonly unversioned = new Set<string>();
  /** Runs inside readVersionedZone after the version is taken, before the records are read. */
  duringRead?: () => Promise<void>;

  readonly zoneVersions: ZoneVersionSource = {
    exactness: 'exact',
    currentVersions: (zones) => this.versions(zones),
    readVersionedZone: (zone) => this.readWhole(zone),
    readZoneDifference: (zone) => this.readDifference(zone),
  };
  async readiness() {
    return { ready: true as const };
  }
  async zones() {
    return ZONES;
  }
  async records(request: { zones: readonly string[] }) {
    this.calls.records++;
    return request.zones.flatMap((zone) => [...(this.zonesHeld.get(zone)?.values() ?? [])]);
  }
  checkRecord(endpoint: Endpoint) {
    return { ok: true as const, endpoint };
  }
  async readZoneState(zone: string): Promise<ZoneState> {
    this.calls.zoneState++;
    return zoneStateOfKeys(new Set(this.zonesHeld.get(zone)!.keys()));
  }
  async writeGroup(group: ChangeGroup): Promise<GroupResult | void> {
    this.calls.writes++;
    if (this.writeFails) throw new Error('backend down');
    const held = this.zonesHeld.get(group.zone)!;
    for (const change of group.changes) {
      if (change.action === 'delete') held.delete(endpointKey(change.current!));
      else held.set(endpointKey(change.desired!), change.desired!);
    }
    if (this.bumpOnWrite) this.bump(group.zone);
  }
  /** A change made outside dnsgate. */
  outside(zone: string, endpoint: Endpoint, bump = true): void {
    this.zonesHeld.get(zone)!.set(endpointKey(endpoint), endpoint);
    if (bump) this.bump(zone);
  }
  bump(zone: string): void {
    this.serials.set(zone, this.serials.get(zone)! + 1);
  }
  async versions(zones: readonly string[]) {
    this.calls.versions++;
    return new Map(zones.filter((z) => !this.unversioned.has(z)).map((z) => [z, String(this.serials.get(z))]));
  }
  async readWhole(zone: string): Promise<VersionedZone> {
    this.calls.whole++;
    const version = String(this.serials.get(zone));
    await this.duringRead?.();
    return { version, endpoints: [...this.zonesHeld.get(zone)!.values()] };
  }
  async readDifference(zone: string): Promise<VersionedZone | undefined> {
    if (!this.differences) return undefined;
    this.calls.difference++;
    return { version: String(this.serials.get(zone)), endpoints: [...this.zonesHeld.get(zone)!.values()] };
  }
}

class RecordingObserver implements RecordsCacheObserver {
  readonly reads: Array<[string, ZoneReadKind]> = [];
  readonly untrusted: string[] = [];
  zoneRead(zone: string, kind: ZoneReadKind) {
    this.reads.push([zone, kind]);
  }
  versionDidNotMove(zone: string) {
    this.untrusted.push(zone);
  }
  kinds(): ZoneReadKind[] {
    return this.reads.splice(0).map(([, kind]) => kind);
  }
}

function cached(fake: VersionedFake, maxAgeMs = 60_000, clock = { now: 0 }) {
  const observer = new RecordingObserver();
  const plugin = new RecordsCachingPlugin(fake, fake.zoneVersions, { maxAgeMs, observer, now: () => clock.now });
  return { plugin, observer, clock };
}

const names = (endpoints: readonly Endpoint[]) => endpoints.map((e) => e.dnsName).sort();

describe('RecordsCachingPlugin', () => {
  it('serves an unchanged zone from the last read, the same array, with one version query per read', async () => {
    const fake = new VersionedFake();
    fake.outside('example.org', a('www.example.org'));
    const { plugin, observer } = cached(fake);
    const first = await plugin.readZones({ zones: ZONES }, call());
    const second = await plugin.readZones({ zones: ZONES }, call());
    expect(fake.calls).toMatchObject({ versions: 2, whole: 2, difference: 0 });
    expect(observer.kinds()).toEqual(['full', 'full', 'hit', 'hit']);
    expect(second[0]!.endpoints).toBe(first[0]!.endpoints);
    expect(second.every((read) => read.reusable)).toBe(true);
    expect(names(await plugin.records({ zones: ZONES }, call()))).toEqual(['www.example.org']);
  });

  it('reads a zone whose version moved by its difference, and whole when the backend cannot', async () => {
    const fake = new VersionedFake();
    const { plugin, observer } = cached(fake);
    await plugin.records({ zones: ZONES }, call());
    fake.outside('example.org', a('new.example.org'));
    expect(names(await plugin.records({ zones: ZONES }, call()))).toEqual(['new.example.org']);
    expect(observer.kinds().sort()).toEqual(['full', 'full', 'hit', 'incremental']);
    fake.differences = false;
    fake.outside('example.net', a('other.example.net'));
    expect(names(await plugin.records({ zones: ZONES }, call()))).toEqual(['new.example.org', 'other.example.net']);
    expect(observer.kinds().sort()).toEqual(['full', 'hit']);
  });

  it('sees a write at once: the zone a group touched is read again', async () => {
    const fake = new VersionedFake();
    fake.bumpOnWrite = false; // even where the version would not show it
    const { plugin, observer } = cached(fake);
    await plugin.records({ zones: ['example.org'] }, call());
    const run = new BatchPipeline(plugin).apply(
      { ...emptyChanges(), create: [a('added.example.org')] },
      { zones: ZONES, deadline: Deadline.in(5_000), dryRun: false },
    );
    await run.finished;
    observer.kinds();
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual(['added.example.org']);
    expect(observer.kinds()).toEqual(['full']);
  });

  it('reads the difference a write made, from the entry it kept, where the version moved', async () => {
    const fake = new VersionedFake();
    fake.outside('example.org', a('www.example.org'));
    const { plugin, observer } = cached(fake);
    await plugin.records({ zones: ['example.org'] }, call());
    const pipeline = new BatchPipeline(plugin);
    const context = { zones: ZONES, deadline: Deadline.in(5_000), dryRun: false };
    await pipeline.apply({ ...emptyChanges(), create: [a('one.example.org')] }, context).finished;
    // The second batch's conflict check finds the first batch's write by a difference read.
    await pipeline.apply({ ...emptyChanges(), create: [a('two.example.org')] }, context).finished;
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual([
      'one.example.org',
      'two.example.org',
      'www.example.org',
    ]);
    expect(observer.kinds()).toEqual(['full', 'hit', 'incremental', 'incremental']);
    expect(fake.calls).toMatchObject({ whole: 1, difference: 2, zoneState: 0 });
  });

  it('reads whole after a write whose version did not move, even one that failed', async () => {
    const fake = new VersionedFake();
    const { plugin, observer } = cached(fake);
    await plugin.records({ zones: ['example.org'] }, call());
    fake.writeFails = true;
    await expect(
      plugin.writeGroup(
        { zone: 'example.org', changes: [{ action: 'create', desired: a('lost.example.org') }] },
        call(),
      ),
    ).rejects.toThrow('backend down');
    // Its answer was lost: the change may have landed without moving anything the cache can see.
    fake.outside('example.org', a('lost.example.org'), false);
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual(['lost.example.org']);
    expect(observer.kinds()).toEqual(['full', 'full']);
    expect(observer.untrusted).toEqual([]);
  });

  it('reads whole again past the maximum age, whatever the version says', async () => {
    const fake = new VersionedFake();
    const { plugin, observer, clock } = cached(fake, 10_000);
    await plugin.records({ zones: ['example.org'] }, call());
    fake.outside('example.org', a('unseen.example.org'), false);
    clock.now = 9_999;
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual([]);
    clock.now = 10_000;
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual(['unseen.example.org']);
    expect(observer.kinds()).toEqual(['full', 'hit', 'full']);
  });

  it('says once when a write landed and the zone version did not move', async () => {
    const fake = new VersionedFake();
    fake.bumpOnWrite = false;
    const { plugin, observer } = cached(fake);
    for (const name of ['one.example.org', 'two.example.org']) {
      await plugin.records({ zones: ZONES }, call());
      await plugin.writeGroup(
        { zone: 'example.org', changes: [{ action: 'create', desired: a(name) }] },
        { deadline: Deadline.in(1_000) },
      );
    }
    await plugin.records({ zones: ZONES }, call());
    expect(observer.untrusted).toEqual(['example.org']);
  });

  it('does not store a read that a write overtook', async () => {
    const fake = new VersionedFake();
    fake.bumpOnWrite = false;
    const { plugin } = cached(fake);
    let write: Promise<unknown> = Promise.resolve();
    fake.duringRead = async () => {
      fake.duringRead = undefined;
      write = plugin.writeGroup(
        { zone: 'example.org', changes: [{ action: 'create', desired: a('racing.example.org') }] },
        call(),
      );
      await write;
    };
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual(['racing.example.org']);
    await write;
    // The read began before the write: had it been stored, the unmoved version would serve it stale.
    fake.outside('example.org', a('later.example.org'), false);
    expect(names(await plugin.records({ zones: ['example.org'] }, call()))).toEqual([
      'later.example.org',
      'racing.example.org',
    ]);
  });

  it('serves the conflict check from an unchanged cached zone only where versions are exact', async () => {
    const fake = new VersionedFake();
    fake.outside('example.org', a('www.example.org'));
    const { plugin } = cached(fake);
    await plugin.records({ zones: ZONES }, call());
    const state = await plugin.readZoneState('example.org', call());
    expect(state.holds(a('www.example.org'))).toBe(true);
    expect(fake.calls.zoneState).toBe(0);
    fake.outside('example.org', a('moved.example.org'));
    expect((await plugin.readZoneState('example.org', call())).holds(a('moved.example.org'))).toBe(true);
    expect(fake.calls).toMatchObject({ zoneState: 0, difference: 1 });
    // A difference the backend cannot give: the zone is read whole, and kept for the reads after.
    fake.differences = false;
    fake.outside('example.org', a('again.example.org'));
    const wholeBefore = fake.calls.whole;
    expect((await plugin.readZoneState('example.org', call())).holds(a('again.example.org'))).toBe(true);
    expect(fake.calls).toMatchObject({ zoneState: 0, whole: wholeBefore + 1 });
    await plugin.records({ zones: ['example.org'] }, call());
    expect(fake.calls.whole).toBe(wholeBefore + 1);

    const advisory = new VersionedFake();
    advisory.exactness = 'advisory';
    const other = cached(advisory).plugin;
    await other.records({ zones: ZONES }, call());
    await other.readZoneState('example.org', call());
    expect(advisory.calls.zoneState).toBe(1);
  });

  it("reads zones left out of the versions' answer by the plugin's own records()", async () => {
    const fake = new VersionedFake();
    fake.unversioned.add('example.net');
    fake.outside('example.net', a('www.example.net'));
    const { plugin } = cached(fake);
    const reads = await plugin.readZones({ zones: ZONES }, call());
    expect(reads.map((read) => [read.zone, read.reusable])).toEqual([
      ['example.org', true],
      [undefined, false],
    ]);
    expect(names(reads[1]!.endpoints)).toEqual(['www.example.net']);
    expect(fake.calls.records).toBe(1);
  });
});

describe('recordsCacheApplies', () => {
  it('is on by default only where versions are exact, never without versions', () => {
    expect(recordsCacheApplies('auto', 'exact')).toBe(true);
    expect(recordsCacheApplies('auto', 'advisory')).toBe(false);
    expect(recordsCacheApplies('on', 'advisory')).toBe(true);
    expect(recordsCacheApplies('off', 'exact')).toBe(false);
    expect(recordsCacheApplies('on', undefined)).toBe(false);
  });
});
