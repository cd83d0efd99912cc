import { afterAll, beforeAll, expect } from '@jest/globals';
import {
  describePluginConformance,
  GENERATED_RECORD_TYPES,
  type ConformanceFixture,
} from '@dnsgate/plugin-sdk/testkit';
import { startPowerDns, type PdnsTestRrset, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { createPowerDnsPlugin } from './powerdns-test-helpers.js';

// The SDK's conformance suite against one real pdns_server (gsqlite3) for the
// whole file. Every check gets zones of its own, a parent and a child zone
// nested in it (so the batch and scoping checks cross a zone cut), plus a
// zone the plugin does not manage, for the records it must never touch.
// Replay a failure with CONFORMANCE_SEED=<seed printed by fast-check>.

interface PowerDnsFixture extends ConformanceFixture {
  /** A zone on the same server that the plugin is not configured for. */
  foreignZone: string;
}

let server: PowerDnsTestServer;
let serial = 0;

beforeAll(async () => {
  server = await startPowerDns();
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

/** What the plugin must never touch, rrsets written straight through the API. */
function outsideRrsets(fixture: PowerDnsFixture): Array<{ zone: string; rrsets: PdnsTestRrset[] }> {
  const [parent, child] = fixture.zones as [string, string];
  return [
    {
      zone: parent,
      rrsets: [
        // A type dnsgate does not manage, at the very name the check creates, updates and deletes an A at.
        { name: `ck-outside.${parent}.`, type: 'HINFO', ttl: 300, records: [{ content: '"PC" "Linux"' }] },
        // A disabled rrset, and glue below the child zone's cut: both in the parent zone, neither reported.
        { name: `off.${parent}.`, type: 'A', ttl: 300, records: [{ content: '192.0.2.200', disabled: true }] },
        { name: `ns.${child}.`, type: 'A', ttl: 300, records: [{ content: '192.0.2.201' }] },
      ],
    },
    {
      zone: fixture.foreignZone,
      rrsets: [{ name: `www.${fixture.foreignZone}.`, type: 'A', ttl: 300, records: [{ content: '192.0.2.202' }] }],
    },
  ];
}

describePluginConformance<PowerDnsFixture>({
  name: 'powerdns against pdns_server 4.7 (gsqlite3)',
  recordTypes: GENERATED_RECORD_TYPES,
  defaultTtl: 300,
  ttlRange: { min: 60, max: 86400 },
  numRuns: 12,
  // Serials move on API changes only where SOA-EDIT-API makes them (API-made zones: DEFAULT), never for database writes.
  zoneVersions: 'advisory',
  ...(process.env.CONFORMANCE_SEED ? { seed: Number(process.env.CONFORMANCE_SEED) } : {}),
  setup: async () => {
    const parent = `c${++serial}.conformance.test`;
    const zones = [parent, `sub.${parent}`];
    const foreignZone = `foreign.${parent}.example`;
    for (const zone of [...zones, foreignZone]) await server.createZone(zone);
    const { plugin } = createPowerDnsPlugin(server, {
      DNSGATE_POWERDNS_ZONES: zones.join(','),
      DNSGATE_POWERDNS_TIMEOUT: '1s',
    });
    return {
      plugin,
      zones,
      foreignZone,
      cleanup: async () => {
        for (const zone of [...zones, foreignZone]) await server.deleteZone(zone);
      },
    };
  },
  // The process is frozen: connections are accepted and never answered.
  stallBackend: async () => {
    server.stall();
    return async () => server.resume();
  },
  // The server really goes away: the process is stopped and started again on the same database.
  breakBackend: async () => {
    await server.halt();
    return () => server.launch();
  },
  outsideRecords: {
    seed: async (fixture) => {
      for (const { zone, rrsets } of outsideRrsets(fixture)) await server.patchZone(zone, rrsets);
    },
    verify: async (fixture) => {
      for (const { zone, rrsets } of outsideRrsets(fixture)) {
        for (const rrset of rrsets) {
          const found = await server.rrset(zone, rrset.name, rrset.type);
          expect({ name: rrset.name, type: rrset.type, records: found?.records }).toEqual({
            name: rrset.name,
            type: rrset.type,
            records: rrset.records!.map((record) => ({ content: record.content, disabled: record.disabled ?? false })),
          });
        }
      }
    },
  },
});
