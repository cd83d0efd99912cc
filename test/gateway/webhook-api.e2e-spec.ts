import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { STREAM_LISTS_ABOVE } from '../../apps/gateway/src/webhook/negotiation.interceptor.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { MemoryPluginFactory, MemoryPluginModule, type MemoryPlugin } from '../support/memory-plugin.js';
import { rawHeader, rawRequest } from '../support/raw-http.js';

describe('webhook API over real HTTP', () => {
  let gateway: TestGateway;
  let plugin: MemoryPlugin;

  beforeAll(async () => {
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'memory', DNSGATE_MEMORY_ZONES: 'example.com,example.org' },
      plugins: [MemoryPluginModule],
    });
    const factory = gateway.app.get(MemoryPluginFactory);
    plugin = factory.instances.at(-1)!;
  });

  afterAll(() => gateway.close());

  beforeEach(() => {
    plugin.store.clear();
    plugin.failWith = undefined;
  });

  const a = (dnsName: string, targets: string[], extra: Record<string, unknown> = {}) => ({
    dnsName,
    targets,
    recordType: 'A',
    ...extra,
  });

  describe('negotiation', () => {
    it('answers GET / with the media type byte for byte and the zones as the filter', async () => {
      const response = await rawRequest(`${gateway.webhookUrl}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      expect(response.status).toBe(200);
      expect(rawHeader(response, 'content-type')).toBe('application/external.dns.webhook+json;version=1');
      expect(JSON.parse(response.body.toString())).toEqual({ include: ['example.com', 'example.org'] });
    });

    it.each([undefined, '*/*', 'application/*', WEBHOOK_MEDIA_TYPE, 'application/external.dns.webhook+json'])(
      'accepts Accept: %s',
      async (accept) => {
        const response = await rawRequest(`${gateway.webhookUrl}/`, { headers: accept ? { accept } : {} });
        expect(response.status).toBe(200);
        expect(rawHeader(response, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      },
    );

    it('answers 406 naming the supported media type for version=2', async () => {
      const response = await rawRequest(`${gateway.webhookUrl}/records`, {
        headers: { accept: 'application/external.dns.webhook+json;version=2' },
      });
      expect(response.status).toBe(406);
      expect(JSON.parse(response.body.toString()).supported).toEqual([WEBHOOK_MEDIA_TYPE]);
    });

    it('answers any other path with the negotiation answer, like the Go server helper', async () => {
      const response = await rawRequest(`${gateway.webhookUrl}/healthcheck/anything`);
      expect(response.status).toBe(200);
      expect(rawHeader(response, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
    });
  });

  describe('records and changes', () => {
    it('applies changes with 204 and no body, and reads them back with 200', async () => {
      const apply = await rawRequest(`${gateway.webhookUrl}/records`, {
        method: 'POST',
        headers: { 'content-type': WEBHOOK_MEDIA_TYPE, accept: WEBHOOK_MEDIA_TYPE },
        body: JSON.stringify({ create: [a('www.example.com', ['192.0.2.1'], { recordTTL: 60 })] }) + '\n',
      });
      expect(apply.status).toBe(204);
      expect(apply.body.length).toBe(0);

      const records = await rawRequest(`${gateway.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      expect(records.status).toBe(200);
      expect(rawHeader(records, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(JSON.parse(records.body.toString())).toEqual([
        { dnsName: 'www.example.com', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 60 },
      ]);
    });

    it('streams a long list of records (chunked, no Content-Length) with the same media type and JSON', async () => {
      const count = STREAM_LISTS_ABOVE + 1234;
      const created = Array.from({ length: count }, (_, i) => a(`h${i}.example.com`, [`192.0.2.${i % 250}`]));
      expect((await gateway.webhook('/records', { body: { create: created } })).status).toBe(204);
      const records = await rawRequest(`${gateway.webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
      expect(records.status).toBe(200);
      expect(rawHeader(records, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(rawHeader(records, 'transfer-encoding')).toBe('chunked');
      expect(rawHeader(records, 'content-length')).toBeUndefined();
      const body = JSON.parse(records.body.toString()) as Array<{ dnsName: string }>;
      expect(body).toHaveLength(count);
      expect(new Set(body.map((e) => e.dnsName))).toEqual(new Set(created.map((e) => e.dnsName)));

      const adjusted = await rawRequest(`${gateway.webhookUrl}/adjustendpoints`, {
        method: 'POST',
        headers: { 'content-type': WEBHOOK_MEDIA_TYPE, accept: WEBHOOK_MEDIA_TYPE },
        body: JSON.stringify(created),
      });
      expect(adjusted.status).toBe(200);
      expect(rawHeader(adjusted, 'content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(rawHeader(adjusted, 'transfer-encoding')).toBe('chunked');
      expect((JSON.parse(adjusted.body.toString()) as unknown[]).length).toBe(count);
    });

    it('accepts the JSON literal null as a body on both POST routes', async () => {
      expect((await gateway.webhook('/records', { body: 'null' })).status).toBe(204);
      const adjust = await gateway.webhook('/adjustendpoints', { body: 'null' });
      expect(adjust.status).toBe(200);
      expect(await adjust.json()).toEqual([]);
    });

    it('accepts the pre-v0.17 capitalised keys with null lists', async () => {
      const response = await gateway.webhook('/records', {
        body: {
          Create: [{ DNSName: 'old.example.com', Targets: ['192.0.2.9'], RecordType: 'A' }],
          UpdateOld: null,
          UpdateNew: null,
          Delete: null,
        },
      });
      expect(response.status).toBe(204);
      expect([...plugin.store.values()].map((e) => e.dnsName)).toEqual(['old.example.com']);
    });

    it('pairs updateOld and updateNew and applies deletes', async () => {
      await gateway.webhook('/records', {
        body: { create: [a('u.example.com', ['192.0.2.1']), a('d.example.com', ['192.0.2.2'])] },
      });
      const response = await gateway.webhook('/records', {
        body: {
          updateOld: [a('u.example.com', ['192.0.2.1'])],
          updateNew: [a('u.example.com', ['192.0.2.3', '192.0.2.4'])],
          delete: [a('d.example.com', ['192.0.2.2'])],
        },
      });
      expect(response.status).toBe(204);
      const records = (await (await gateway.webhook('/records')).json()) as Array<{
        dnsName: string;
        targets: string[];
      }>;
      expect(records).toEqual([
        expect.objectContaining({ dnsName: 'u.example.com', targets: ['192.0.2.3', '192.0.2.4'] }),
      ]);
    });

    it('answers AdjustEndpoints with 200 and the adjusted endpoints', async () => {
      const response = await gateway.webhook('/adjustendpoints', {
        body: [a('WWW.Example.com.', ['192.0.2.2', '192.0.2.1'])],
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect(await response.json()).toEqual([
        { dnsName: 'www.example.com', targets: ['192.0.2.1', '192.0.2.2'], recordType: 'A', recordTTL: 300 },
      ]);
    });

    it('never writes or reports names outside the managed zones', async () => {
      const response = await gateway.webhook('/records', {
        body: { create: [a('in.example.com', ['192.0.2.1']), a('out.example.net', ['192.0.2.1'])] },
      });
      expect(response.status).toBe(204);
      expect([...plugin.store.values()].map((e) => e.dnsName)).toEqual(['in.example.com']);
      plugin.store.set('x', { dnsName: 'sneaky.example.net', targets: ['192.0.2.1'], recordType: 'A' });
      const records = (await (await gateway.webhook('/records')).json()) as Array<{ dnsName: string }>;
      expect(records.map((e) => e.dnsName)).toEqual(['in.example.com']);
    });
  });

  describe('malformed requests', () => {
    it('answers 400 to an empty body', async () => {
      const response = await rawRequest(`${gateway.webhookUrl}/records`, {
        method: 'POST',
        headers: { 'content-type': WEBHOOK_MEDIA_TYPE },
        body: '',
      });
      expect(response.status).toBe(400);
    });

    it('answers 400 to a POST with no body and no content type', async () => {
      const response = await rawRequest(`${gateway.webhookUrl}/adjustendpoints`, { method: 'POST' });
      expect(response.status).toBe(400);
    });

    it('answers 400 to a body that is not JSON', async () => {
      const response = await gateway.webhook('/records', { body: '{"create": [' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/not JSON/);
    });

    it('answers 400 naming the field for a wrong type', async () => {
      const response = await gateway.webhook('/records', {
        body: { create: [a('x.example.com', ['192.0.2.1'], { recordTTL: 1.5 })] },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toContain('create[0].recordTTL');
    });

    it('answers 400 to a wrong method on a known route', async () => {
      expect((await gateway.webhook('/records', { method: 'PUT', body: 'null' })).status).toBe(400);
      expect((await gateway.webhook('/adjustendpoints', { method: 'GET' })).status).toBe(400);
      expect((await gateway.webhook('/records', { method: 'DELETE' })).status).toBe(400);
    });

    it('answers 413 to a body over 32 MiB', async () => {
      const body = Buffer.alloc(32 * 1024 * 1024 + 16, 0x20);
      const response = await rawRequest(`${gateway.webhookUrl}/records`, {
        method: 'POST',
        headers: { 'content-type': WEBHOOK_MEDIA_TYPE, 'content-length': body.length },
        body,
      });
      expect(response.status).toBe(413);
    });
  });
});
