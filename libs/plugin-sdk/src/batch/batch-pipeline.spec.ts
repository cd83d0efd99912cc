import { describe, expect, it } from '@jest/globals';
import { endpointKey, emptyChanges, type Changes, type Endpoint } from '@dnsgate/protocol';
import { Deadline } from '../concurrency/deadline.js';
import type { ChangeGroup, DnsPlugin, RecordCheck, ZoneState } from '../contract/dns-plugin.interface.js';
import { BackendUnavailableError, GroupRefusedError } from '../errors/dnsgate-errors.js';
import { BatchPipeline, locateItems, zoneStateOfKeys } from './batch-pipeline.js';
import { BatchIncompleteError } from './batch-report.js';
import { applyWithinDeadline } from './within-deadline.js';

const ZONES = ['example.org', 'example.net'];
const a = (name: string, target = '192.0.2.1'): Endpoint => ({ dnsName: name, recordType: 'A', targets: [target] });

/** A backend in memory: checks A targets, refuses names listed in `refuse`, fails zones listed in `down`. */
class FakePlugin implements DnsPlugin {
  readonly store = new Map<string, Endpoint>();
  readonly groups: string[][] = [];
  readonly refuse = new Set<string>();
  readonly down = new Set<string>();
  writeDelayMs = 0;
  reads = 0;

  async readiness() {
    return { ready: true as const };
  }
  async zones() {
    return ZONES;
  }
  async records() {
    return [...this.store.values()];
  }
  checkRecord(endpoint: Endpoint): RecordCheck {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(endpoint.targets[0] ?? '')) {
      return { ok: false, reason: 'target', problem: `not an IPv4 address: ${endpoint.targets[0]}` };
    }
    return { ok: true, endpoint: { ...endpoint, dnsName: endpoint.dnsName.toLowerCase(), recordTTL: 300 } };
  }
  async readZoneState(zone: string): Promise<ZoneState> {
    this.reads++;
    if (this.down.has(zone)) throw new BackendUnavailableError(`zone ${zone}: connection refused`);
    return zoneStateOfKeys(new Set(this.store.keys()));
  }
  async writeGroup(group: ChangeGroup): Promise<void> {
    if (this.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
    if (group.changes.some((c) => this.refuse.has((c.desired ?? c.current)!.dnsName))) {
      throw new GroupRefusedError('REFUSED: integrity check');
    }
    this.groups.push(group.changes.map((c) => `${c.action} ${(c.desired ?? c.current)!.dnsName}`));
    for (const c of group.changes) {
      if (c.action === 'delete') this.store.delete(endpointKey(c.current!));
      else this.store.set(endpointKey(c.desired!), c.desired!);
    }
  }
}

function apply(plugin: FakePlugin, changes: Partial<Changes>, options: { dryRun?: boolean; ms?: number } = {}) {
  return new BatchPipeline(plugin).apply(
    { ...emptyChanges(), ...changes },
    { zones: ZONES, deadline: Deadline.in(options.ms ?? 5_000), dryRun: options.dryRun ?? false },
  ).finished;
}

const reasons = (report: { notApplied: Array<{ endpoint: Endpoint; reason: string }> }) =>
  report.notApplied.map((n) => `${n.endpoint.dnsName} ${n.reason}`).sort();

describe('BatchPipeline.apply', () => {
  it('applies a batch whole, one group per zone, deletes then updates then creates', async () => {
    const plugin = new FakePlugin();
    await apply(plugin, { create: [a('old.example.org'), a('upd.example.org')] });
    const report = await apply(plugin, {
      create: [a('new.example.org'), a('x.example.net')],
      updateOld: [a('upd.example.org')],
      updateNew: [a('upd.example.org', '192.0.2.9')],
      delete: [a('old.example.org')],
    });
    expect(report.complete).toBe(true);
    expect(report.summary()).toBe('all 4 changes landed');
    expect(plugin.groups.slice(1)).toEqual([
      ['delete old.example.org', 'update upd.example.org', 'create new.example.org'],
      ['create x.example.net'],
    ]);
  });

  it('refuses each change that does not fit the zone, by name, and applies the rest', async () => {
    const plugin = new FakePlugin();
    await apply(plugin, { create: [a('taken.example.org')] });
    const report = await apply(plugin, {
      create: [a('taken.example.org', '192.0.2.2'), a('fresh.example.org')],
      updateOld: [a('missing.example.org')],
      updateNew: [a('missing.example.org', '192.0.2.3')],
      delete: [a('gone.example.net')],
    });
    expect(reasons(report)).toEqual([
      'gone.example.net conflict',
      'missing.example.org conflict',
      'taken.example.org conflict',
    ]);
    expect(report.applied.map((c) => c.desired!.dnsName)).toEqual(['fresh.example.org']);
    expect(new BatchIncompleteError(report).statusCode).toBe(500);
    expect(report.summary()).toMatch(/^3 of 4 changes did not land \(1 applied\): /);
  });

  it('refuses what the plugin cannot hold, names outside every zone, duplicates, and mismatched update pairs', async () => {
    const plugin = new FakePlugin();
    const report = await apply(plugin, {
      create: [
        a('bad.example.org', 'nope'),
        a('x.example.com'),
        a('twice.example.org'),
        a('TWICE.example.org'),
        a('ok.example.org'),
      ],
      updateOld: [a('p.example.org')],
      updateNew: [a('q.example.org')],
    });
    expect(reasons(report)).toEqual([
      'bad.example.org invalid',
      'q.example.org invalid',
      'twice.example.org duplicate',
      'twice.example.org duplicate',
      'x.example.com no_zone',
    ]);
    expect([...plugin.store.keys()]).toEqual(['ok.example.org|A|']);
  });

  it('isolates the change a backend refuses and lands the others of its group', async () => {
    const plugin = new FakePlugin();
    plugin.refuse.add('mx.example.org');
    const create = Array.from({ length: 19 }, (_, i) => a(`h${i}.example.org`));
    create.splice(7, 0, a('mx.example.org'));
    const report = await apply(plugin, { create });
    expect(reasons(report)).toEqual(['mx.example.org refused']);
    expect(report.applied).toHaveLength(19);
    expect(plugin.store.size).toBe(19);
  });

  it('leaves the changes of a zone it cannot read unapplied, with why, and applies the other zones', async () => {
    const plugin = new FakePlugin();
    plugin.down.add('example.net');
    const report = await apply(plugin, { create: [a('a.example.org'), a('b.example.net')] });
    expect(reasons(report)).toEqual(['b.example.net unavailable']);
    expect(report.notApplied[0]!.problem).toMatch(/reading zone example\.net to check the batch: .*connection refused/);
    expect(new BatchIncompleteError(report).statusCode).toBe(503);
    expect(plugin.store.has('a.example.org|A|')).toBe(true);
  });

  it('starts reading the zones a batch touches before it checks the batch, so that the two overlap', async () => {
    const plugin = new FakePlugin();
    const events: string[] = [];
    const check = plugin.checkRecord.bind(plugin);
    plugin.checkRecord = (endpoint) => {
      events.push(`check ${endpoint.dnsName}`);
      return check(endpoint);
    };
    const read = plugin.readZoneState.bind(plugin);
    plugin.readZoneState = (zone) => {
      events.push(`read ${zone}`);
      return read(zone);
    };
    await apply(plugin, { create: [a('www.example.org'), a('www.example.net'), a('api.example.org')] });
    expect(events.slice(0, 2).sort()).toEqual(['read example.net', 'read example.org']);
    expect(events.filter((event) => event.startsWith('read'))).toHaveLength(2);
    expect(plugin.groups.flat().sort()).toEqual([
      'create api.example.org',
      'create www.example.net',
      'create www.example.org',
    ]);
  });

  it('lets a zone read that needs several turns of the event loop finish while a big batch is still being checked', async () => {
    const plugin = new FakePlugin();
    let checked = 0;
    let checkedWhenRead = -1;
    const check = plugin.checkRecord.bind(plugin);
    plugin.checkRecord = (endpoint) => {
      checked++;
      return check(endpoint);
    };
    const read = plugin.readZoneState.bind(plugin);
    plugin.readZoneState = async (zone) => {
      // Like a read on a fresh connection: connect, write, read the answer, each on a later turn.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      checkedWhenRead = checked;
      return read(zone);
    };
    const creates = Array.from({ length: 5000 }, (_, i) => a(`host${i}.example.org`));
    const report = await apply(plugin, { create: creates });
    expect(report.complete).toBe(true);
    expect(checkedWhenRead).toBeGreaterThan(0);
    expect(checkedWhenRead).toBeLessThan(creates.length);
  });

  it('in dry-run, reads and checks like an apply, reports the same, and writes nothing', async () => {
    const plugin = new FakePlugin();
    await apply(plugin, { create: [a('taken.example.org')] });
    const readsBefore = plugin.reads;
    const dry = await apply(
      plugin,
      { create: [a('fresh.example.org'), a('taken.example.org', '192.0.2.2')] },
      { dryRun: true },
    );
    expect(plugin.reads).toBeGreaterThan(readsBefore);
    expect(dry.dryRun).toBe(true);
    expect(reasons(dry)).toEqual(['taken.example.org conflict']);
    expect(dry.applied.map((c) => c.desired!.dnsName)).toEqual(['fresh.example.org']);
    expect(dry.summary()).toMatch(/1 of 2 changes would not land \(1 would be applied\)/);
    expect([...plugin.store.keys()]).toEqual(['taken.example.org|A|']);
  });

  it('runs one batch at a time: the second is checked against what the first wrote', async () => {
    const plugin = new FakePlugin();
    plugin.writeDelayMs = 20;
    const pipeline = new BatchPipeline(plugin);
    const options = { zones: ZONES, deadline: Deadline.in(5_000) };
    const [first, second] = await Promise.all([
      pipeline.apply({ ...emptyChanges(), create: [a('same.example.org', '192.0.2.1')] }, options).finished,
      pipeline.apply({ ...emptyChanges(), create: [a('same.example.org', '192.0.2.2')] }, options).finished,
    ]);
    expect(first.complete).toBe(true);
    expect(reasons(second)).toEqual(['same.example.org conflict']);
  });

  it('answers at the deadline with what landed, what is in flight (it may land) and what was never sent', async () => {
    const plugin = new FakePlugin();
    plugin.writeDelayMs = 300;
    const outcome = await applyWithinDeadline(
      new BatchPipeline(plugin),
      { ...emptyChanges(), create: [a('a.example.org'), a('b.example.net')] },
      { zones: ZONES, deadline: Deadline.in(100) },
    );
    expect(outcome.timedOut).toBe(true);
    expect(outcome.report.notApplied.map((n) => [n.endpoint.dnsName, n.reason, n.mayHaveLanded ?? false])).toEqual([
      ['a.example.org', 'deadline', true],
      ['b.example.net', 'deadline', false],
    ]);
    expect(new BatchIncompleteError(outcome.report).statusCode).toBe(504);
    const final = await outcome.finished;
    // The group in flight landed after the answer; the next was never sent.
    expect(final.applied.map((c) => c.desired!.dnsName)).toEqual(['a.example.org']);
    expect(reasons(final)).toEqual(['b.example.net deadline']);
  });
});

describe('BatchPipeline.apply with duplicates', () => {
  it('writes the other changes of a zone whose first change was a duplicate, zones in the order of their first change written', async () => {
    const plugin = new FakePlugin();
    const report = await apply(plugin, {
      create: [a('dup.example.net'), a('dup.example.net'), a('one.example.org'), a('two.example.net')],
    });
    expect(reasons(report)).toEqual(['dup.example.net duplicate', 'dup.example.net duplicate']);
    expect(plugin.groups).toEqual([['create one.example.org'], ['create two.example.net']]);
  });
});

describe('locateItems', () => {
  it("finds each change's normalised name and zone once, and the zones to read", () => {
    const items: Array<{ received: Endpoint; receivedName?: string; receivedZone?: string }> = [
      { received: a('WWW.Example.ORG.') },
      { received: a('deep.sub.example.net') },
      { received: a('elsewhere.example.com') },
    ];
    expect(locateItems(items, ZONES)).toEqual(['example.org', 'example.net']);
    expect(items.map((item) => [item.receivedName, item.receivedZone])).toEqual([
      ['www.example.org', 'example.org'],
      ['deep.sub.example.net', 'example.net'],
      ['elsewhere.example.com', undefined],
    ]);
  });
});

describe('BatchPipeline.adjust', () => {
  it('normalises, drops what cannot be held or is outside every zone, a second endpoint of a record set, and a CNAME beside data', () => {
    const plugin = new FakePlugin();
    const result = new BatchPipeline(plugin).adjust(
      [
        a('WWW.example.org'),
        a('www.example.org', '192.0.2.2'),
        a('bad.example.org', 'x'),
        a('out.example.com'),
        a('host.example.org'),
        { dnsName: 'host.example.org', recordType: 'CNAME', targets: ['192.0.2.1'] },
        a('example.org'),
        { dnsName: 'example.org', recordType: 'CNAME', targets: ['192.0.2.1'] },
      ],
      ZONES,
    );
    // At the apex the plugin decides (PowerDNS keeps the CNAME as an ALIAS); this fake accepts it.
    expect(result.endpoints.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual([
      'www.example.org A',
      'host.example.org A',
      'example.org A',
      'example.org CNAME',
    ]);
    expect(result.dropped.map((d) => `${d.endpoint.dnsName} ${d.reason}`)).toEqual([
      'www.example.org duplicate',
      'bad.example.org target',
      'out.example.com no_zone',
      'host.example.org cname_conflict',
    ]);
  });
});
