import { Registry } from 'prom-client';
import {
  Deadline,
  SerialisedRecordsBuilder,
  recordSetJson,
  type CallContext,
  type DnsPlugin,
  type Endpoint,
  type SerialisedRecords,
} from '@dnsgate/plugin-sdk';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { BackendInstance } from './backend-instance.js';
import { isSerialisedRead, type BackendRead } from './backend-read.js';

const RECORD: Endpoint = { dnsName: 'a.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 };

/** A plugin that answers both kinds of read with one record set, and says which it was asked for. */
function twoWayPlugin(withVersions: boolean) {
  const asked: string[] = [];
  const plugin: DnsPlugin = {
    readiness: async () => ({ ready: true }),
    zones: async () => ['example.org'],
    records: async (_request, call: CallContext) => {
      asked.push(call.early ? 'records with early' : 'records');
      return [{ ...RECORD }];
    },
    serialisedRecords: async (): Promise<SerialisedRecords> => {
      asked.push('serialisedRecords');
      const answer = new SerialisedRecordsBuilder();
      answer.add(recordSetJson(RECORD.dnsName, RECORD.targets, RECORD.recordType, RECORD.recordTTL!), 'A');
      return answer.result();
    },
    checkRecord: (endpoint) => ({ ok: true, endpoint }),
    readZoneState: async () => ({ holds: () => false }),
    writeGroup: async () => undefined,
    ...(withVersions
      ? {
          zoneVersions: {
            exactness: 'exact' as const,
            currentVersions: async () => new Map([['example.org', '1']]),
            readVersionedZone: async () => ({ version: '1', endpoints: [{ ...RECORD }] }),
          },
        }
      : {}),
  };
  return { plugin, asked };
}

async function readThrough(withVersions: boolean, sentUnchanged: boolean) {
  const { plugin, asked } = twoWayPlugin(withVersions);
  const metrics = new GatewayMetrics(new Registry());
  const instance = new BackendInstance('fake', 'fake', plugin, {
    metrics,
    redactor: new SecretRedactor(),
    dryRun: false,
    recordsCache: { mode: 'auto', maxAgeMs: 60_000 },
  });
  instance.startInBackground();
  await instance.whenStarted(5_000);
  const early = { take: () => undefined };
  const reads = await instance.records(['example.org'], Deadline.in(5_000), { early, sentUnchanged });
  const gauge = await metrics.registry.getSingleMetricAsString('dnsgate_plugin_records');
  await instance.stop();
  return { asked, reads, gauge };
}

function endpointsOf(reads: readonly BackendRead[]): unknown[] {
  return reads.flatMap((read) =>
    isSerialisedRead(read)
      ? (JSON.parse(`[${Buffer.concat(read.serialised.chunks).toString()}]`) as Endpoint[])
      : read.endpoints,
  );
}

describe('BackendInstance.records', () => {
  it("takes the plugin's JSON where the answer takes the read unchanged and no records cache reads it", async () => {
    const { asked, reads, gauge } = await readThrough(false, true);
    expect(asked).toEqual(['serialisedRecords']);
    expect(reads.every(isSerialisedRead)).toBe(true);
    expect(endpointsOf(reads)).toEqual([RECORD]);
    expect(gauge).toMatch(/dnsgate_plugin_records\{[^}]*type="A"[^}]*\} 1/);
  });

  it('asks records() (with early) where the scope may leave names out', async () => {
    const { asked, reads } = await readThrough(false, false);
    expect(asked).toEqual(['records with early']);
    expect(endpointsOf(reads)).toEqual([RECORD]);
  });

  it('reads through the records cache where it applies, whatever the scope', async () => {
    const { asked, reads } = await readThrough(true, true);
    expect(asked).toEqual([]);
    expect(reads.some(isSerialisedRead)).toBe(false);
    expect(endpointsOf(reads)).toEqual([RECORD]);
  });
});
