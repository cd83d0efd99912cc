import { Rfc2136PluginModule } from '../../plugins/rfc2136/src/index.js';
import { startBind, type BindServer } from '../support/bind-server.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { scrapedMetric } from '../support/metrics-text.js';
import { rfc2136Env } from './rfc2136-test-kit.js';

const ZONE = 'json.test';
const CHILD = `child.${ZONE}`;

/**
 * A zone with what a read has to get right: sets of several RRs (given out
 * of order), every managed type, TXT with quotes and backslashes, names in
 * upper case, a delegation with its glue, a child zone served by the same
 * instance, and records dnsgate leaves alone.
 */
const RECORDS = [
  'multi 300 IN A 192.0.2.20',
  'multi 300 IN A 192.0.2.3',
  'multi 300 IN A 192.0.2.100',
  'multi 300 IN AAAA 2001:db8::2',
  'multi 300 IN AAAA 2001:db8::1',
  'multi 300 IN TXT "say \\"hi\\"" "back\\\\slash"',
  'UPPER.Case 60 IN A 192.0.2.7',
  'alias 120 IN CNAME multi',
  '_sip._tcp 300 IN SRV 10 60 5060 multi',
  '@ 300 IN MX 10 multi',
  '@ 300 IN MX 20 UPPER.Case',
  'ptr 300 IN PTR host.example.',
  'caa 300 IN CAA 0 issue "ca.example"',
  'deleg 300 IN NS ns.deleg',
  'ns.deleg 300 IN A 192.0.2.53',
  'hinfo 300 IN HINFO "cpu" "os"',
  ...Array.from({ length: 300 }, (_, i) => `host-${i} 300 IN A 10.0.${i >> 8}.${i & 255}`),
];

/**
 * The read answered as JSON written from the transfer (serialisedRecords:
 * no records cache, no domain filter) against the two other ways the same
 * zones are read: records() behind a domain filter, and the records cache.
 * All three must send the same bytes.
 */
describe('rfc2136 GET /records: the JSON written from the transfer is the answer of the other reads', () => {
  let bind: BindServer;
  const gateways: Record<'serialised' | 'filtered' | 'cached', TestGateway> = {} as never;

  beforeAll(async () => {
    bind = await startBind({
      zones: [
        { name: ZONE, updateKeys: ['dnsgate'], extraRecords: RECORDS },
        { name: CHILD, updateKeys: ['dnsgate'], extraRecords: ['www 300 IN A 192.0.2.9'] },
      ],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
    const env = (extra: Record<string, string>) => ({
      DNSGATE_PLUGIN: 'rfc2136',
      ...rfc2136Env([bind], [ZONE, CHILD], bind.keys.dnsgate),
      ...extra,
    });
    const plugins = [Rfc2136PluginModule];
    gateways.serialised = await startGateway({ env: env({ DNSGATE_RECORDS_CACHE: 'off' }), plugins });
    gateways.filtered = await startGateway({
      env: env({ DNSGATE_RECORDS_CACHE: 'off', DNSGATE_DOMAIN_FILTER: ZONE }),
      plugins,
    });
    gateways.cached = await startGateway({ env: env({ DNSGATE_RECORDS_CACHE: 'on' }), plugins });
  });
  afterAll(async () => {
    for (const gateway of Object.values(gateways)) await gateway?.close();
    await bind?.dispose();
  });

  async function answer(gateway: TestGateway): Promise<string> {
    const response = await gateway.webhook('/records');
    expect(response.status).toBe(200);
    return response.text();
  }

  it('sends the same bytes, and counts the same records by type', async () => {
    const serialised = await answer(gateways.serialised);
    expect(await answer(gateways.filtered)).toBe(serialised);
    expect(await answer(gateways.cached)).toBe(serialised);
    expect(await answer(gateways.cached)).toBe(serialised); // served from the cache

    const endpoints = JSON.parse(serialised) as Array<{ dnsName: string; recordType: string; targets: string[] }>;
    expect(endpoints).toHaveLength(300 + 12);
    expect(endpoints.find((e) => e.dnsName === `multi.${ZONE}` && e.recordType === 'A')?.targets).toEqual([
      '192.0.2.100',
      '192.0.2.20',
      '192.0.2.3',
    ]);
    expect(endpoints.map((e) => e.dnsName)).toContain(`www.${CHILD}`);
    expect(endpoints.map((e) => e.dnsName)).toContain(`upper.case.${ZONE}`);
    expect(endpoints.some((e) => e.recordType === 'HINFO' || e.recordType === 'SOA')).toBe(false);

    for (const type of ['A', 'AAAA', 'TXT', 'MX', 'NS', 'CAA']) {
      const labels = { plugin: 'rfc2136', instance: 'rfc2136', type };
      const counted = await scrapedMetric(gateways.serialised.healthUrl, 'dnsgate_plugin_records', labels);
      expect(counted).toBe(endpoints.filter((e) => e.recordType === type).length);
      expect(await scrapedMetric(gateways.filtered.healthUrl, 'dnsgate_plugin_records', labels)).toBe(counted);
    }
  });
});
