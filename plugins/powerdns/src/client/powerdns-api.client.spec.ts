import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendError, BackendTimeoutError, BackendUnavailableError, ChangeRejectedError } from '@dnsgate/plugin-sdk';
import { createTestPluginContext } from '@dnsgate/plugin-sdk/testkit';
import { createPowerDnsMetrics } from '../powerdns.metrics.js';
import { PowerDnsApiClient } from './powerdns-api.client.js';
import { PowerDnsAuthError, PowerDnsNotFoundError, PowerDnsUnprocessableError } from './powerdns-api.errors.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A fake PowerDNS webserver on loopback: each test sets what it answers. */
describe('PowerDnsApiClient against a fake webserver', () => {
  let server: Server;
  let base: string;
  let handler: Handler = (_req, res) => res.end();
  const seen: Array<{ method: string; url: string; key: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers['x-api-key'] as string | undefined });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (overrides: { baseUrl?: string; timeoutMs?: number } = {}) => {
    const context = createTestPluginContext('powerdns');
    const api = new PowerDnsApiClient({
      baseUrl: overrides.baseUrl ?? `${base}/prefix/`,
      apiKey: 'the-secret-key',
      serverId: 'localhost',
      timeoutMs: overrides.timeoutMs ?? 2000,
      instance: 'powerdns',
      logger: context.logger,
      metrics: createPowerDnsMetrics(context.metrics),
      backoffMs: () => 20,
    });
    return { api, context };
  };

  const answer =
    (status: number, body: string, type = 'application/json'): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };

  it('keeps the path prefix, sends the key as X-API-Key and encodes the zone id', async () => {
    seen.length = 0;
    handler = answer(200, '{"id":"example.com.","name":"example.com.","rrsets":[]}');
    const zone = await client().api.getZone('example.com.');
    expect(zone.name).toBe('example.com.');
    expect(seen).toEqual([
      { method: 'GET', url: '/prefix/api/v1/servers/localhost/zones/example.com.', key: 'the-secret-key' },
    ]);
  });

  it('lists the zones without their DNSSEC status (dnssec=false: no edited_serial, less work for PowerDNS)', async () => {
    seen.length = 0;
    handler = answer(200, '[{"id":"example.com.","name":"example.com.","serial":7}]');
    await expect(client().api.listZones()).resolves.toEqual([{ id: 'example.com.', name: 'example.com.', serial: 7 }]);
    expect(seen.map((request) => request.url)).toEqual(['/prefix/api/v1/servers/localhost/zones?dnssec=false']);
  });

  it('sends each PATCH body whole, with its Content-Length, also when two are on the way at once', async () => {
    const rrsetsOf = (tag: string) =>
      Array.from({ length: 1500 }, (_, i) => ({
        name: `${tag}${i}.bücher.example.`,
        type: 'TXT',
        ttl: 300,
        changetype: 'REPLACE' as const,
        records: [{ content: `"v=${i} ü"`, disabled: false }],
      }));
    const received: Array<{ length: string | undefined; body: string }> = [];
    const waiting: ServerResponse[] = [];
    handler = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ length: req.headers['content-length'], body: Buffer.concat(chunks).toString('utf8') });
        // Both PATCHes are answered only once both have arrived: the second is made while the first is on the way.
        waiting.push(res);
        if (waiting.length === 2) for (const r of waiting) r.writeHead(204).end();
      });
    };
    const { api } = client();
    const [a, b] = [rrsetsOf('a'), rrsetsOf('b')];
    await Promise.all([api.patchZone('bücher.example.', a), api.patchZone('bücher.example.', b)]);
    const bodies = received.map((r) => r.body).sort();
    expect(bodies).toEqual([JSON.stringify({ rrsets: a }), JSON.stringify({ rrsets: b })].sort());
    for (const r of received) expect(r.length).toBe(String(Buffer.byteLength(r.body)));
    // The kept buffer is free again: a third PATCH goes through it.
    received.length = 0;
    handler = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ length: req.headers['content-length'], body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    };
    await api.patchZone('bücher.example.', a.slice(0, 3));
    expect(received[0]!.body).toBe(JSON.stringify({ rrsets: a.slice(0, 3) }));
  });

  it('reads plain-text 401 and 404 bodies and JSON 422 bodies', async () => {
    const { api, context } = client();
    handler = answer(401, 'Unauthorized', 'text/plain; charset=utf-8');
    const auth = await api.listZones().catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(PowerDnsAuthError);
    expect((auth as Error).message).toMatch(/rejected the API key \(HTTP 401/);
    expect(context.lines.filter((l) => l.level === 'error' && l.message.includes('rejected the API key'))).toHaveLength(
      1,
    );
    handler = answer(404, 'Not Found', 'text/plain; charset=utf-8');
    await expect(api.getZone('nope.')).rejects.toBeInstanceOf(PowerDnsNotFoundError);
    handler = answer(422, '{"error": "RRset a.example.com. IN CNAME: Conflicts with pre-existing RRset"}');
    const refused = await api.patchZone('example.com.', []).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PowerDnsUnprocessableError);
    expect(refused).toBeInstanceOf(ChangeRejectedError);
    expect((refused as PowerDnsUnprocessableError).detail).toBe(
      'RRset a.example.com. IN CNAME: Conflicts with pre-existing RRset',
    );
    handler = answer(409, 'Conflict', 'text/plain');
    await expect(api.createZone('example.com.', [])).rejects.toThrow(/answered 409 to POST .*: Conflict/);
    const all = context.lines.map((l) => l.message).join('\n') + String(auth) + String(refused);
    expect(all).not.toContain('the-secret-key');
  });

  it('retries a GET after a 503 within its budget, but never a PATCH', async () => {
    const { api, context } = client();
    let calls = 0;
    handler = (req, res) => {
      calls++;
      if (calls < 3) answer(503, 'busy', 'text/plain')(req, res);
      else answer(200, '[]')(req, res);
    };
    await expect(api.listZones()).resolves.toEqual([]);
    expect(calls).toBe(3);
    const retries = await context.registry.getSingleMetric('dnsgate_powerdns_api_retries_total')!.get();
    expect(retries.values[0]?.value).toBe(2);
    calls = 0;
    handler = (req, res) => {
      calls++;
      answer(503, 'busy', 'text/plain')(req, res);
    };
    await expect(api.patchZone('example.com.', [])).rejects.toBeInstanceOf(BackendError);
    expect(calls).toBe(1);
  });

  it('times out a call that does not answer with BackendTimeoutError, inside the budget', async () => {
    handler = () => undefined; // never answers
    const began = Date.now();
    await expect(client({ timeoutMs: 300 }).api.listZones()).rejects.toBeInstanceOf(BackendTimeoutError);
    expect(Date.now() - began).toBeLessThan(1500);
  });

  it('reports a refused connection as unavailable, without the key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await client({ baseUrl: `http://user:pw@127.0.0.1:${port}`, timeoutMs: 300 })
      .api.getServer()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toMatch(/the-secret-key|pw@/);
  });
});
