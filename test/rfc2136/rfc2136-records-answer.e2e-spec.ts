import { type Endpoint } from '@dnsgate/plugin-sdk';
import { STREAM_LISTS_ABOVE } from '../../apps/gateway/src/webhook/negotiation.interceptor.js';
import { Rfc2136PluginModule } from '../../plugins/rfc2136/src/index.js';
import { axfrMessageCount, startBind, type BindServer } from '../support/bind-server.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { createPlugin, rfc2136Env, sorted } from './rfc2136-test-kit.js';

const ZONES = ['example.com', 'example.net'];
const PER_ZONE = 2500;

/**
 * GET /records without the records cache: the plugin hands each message's
 * finished record sets to the gateway, which makes their JSON while the
 * transfer goes on (EarlyEndpoints). The answer must be the same as ever;
 * made ahead, it is sent whole, with a Content-Length, where a list this
 * long used to be streamed in chunks.
 */
describe('rfc2136 GET /records without the records cache, made while the zones are transferred', () => {
  let bind: BindServer;
  let gateway: TestGateway;
  const desired: Endpoint[] = ZONES.flatMap((zone) => [
    ...Array.from({ length: PER_ZONE }, (_, i) => ({
      dnsName: `host-${i}.${zone}`,
      recordType: 'A',
      targets: [`10.0.${i >> 8}.${i & 255}`, `10.1.${i >> 8}.${i & 255}`],
      recordTTL: 300 + (i % 3),
    })),
    { dnsName: `note.${zone}`, recordType: 'TXT', targets: ['"a note"'], recordTTL: 60 },
    { dnsName: `alias.${zone}`, recordType: 'CNAME', targets: [`host-1.${zone}`], recordTTL: 60 },
  ]);

  beforeAll(async () => {
    bind = await startBind({
      zones: ZONES.map((name) => ({ name, updateKeys: ['dnsgate'] })),
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
    const env = rfc2136Env([bind], ZONES, bind.keys.dnsgate);
    const writer = createPlugin(env);
    const adjusted = await writer.driver.adjustEndpoints(desired);
    await writer.driver.applyChanges({ create: adjusted, updateOld: [], updateNew: [], delete: [] });
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'rfc2136', DNSGATE_RECORDS_CACHE: 'off', ...env },
      plugins: [Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await bind?.dispose();
  });

  it('answers every record set of both zones, as the plugin reads them, whole with a Content-Length', async () => {
    expect(await axfrMessageCount(bind, ZONES[0]!, bind.keys.dnsgate!)).toBeGreaterThan(2);

    const response = await gateway.webhook('/records');
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    const answered = JSON.parse(body) as Endpoint[];
    expect(answered.length).toBeGreaterThan(STREAM_LISTS_ABOVE);

    const plugin = createPlugin(rfc2136Env([bind], ZONES, bind.keys.dnsgate));
    expect(answered).toEqual(await plugin.driver.records({ zones: ZONES }));
    expect(sorted(answered).map((e) => `${e.dnsName} ${e.recordType} ${e.targets.length}`)).toEqual(
      sorted(desired).map((e) => `${e.dnsName} ${e.recordType} ${e.targets.length}`),
    );
  });
});
