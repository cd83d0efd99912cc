import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { runDnsgateExpectingFailure, type DnsgateProcess } from '../support/dnsgate-process.js';
import { rawHeader, rawRequest } from '../support/raw-http.js';
import { spawnOn, startBackend, type TestBackend } from './hostile-backends.js';
import { postRaw } from './hostile-http.js';

/** Issue 12, defect 6: DNSGATE_WEBHOOK_PATH_PREFIX, and paths outside it answered so ExternalDNS's log says why. */

/** What ExternalDNS's NewWebhookProvider (v0.22) does with the `GET <url>` answer: nothing (fine) or the error it exits with. */
async function externalDnsNegotiation(url: string): Promise<string | undefined> {
  const answer = await rawRequest(url, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
  if (answer.status >= 300 && answer.status < 500) return 'failed to connect to plugin api: status code < 500';
  try {
    JSON.parse(answer.body.toString());
  } catch (error) {
    return `failed to unmarshal response body of DomainFilter: ${(error as Error).message}`;
  }
  const type = rawHeader(answer, 'content-type');
  if (type !== WEBHOOK_MEDIA_TYPE) return `wrong content type returned from server: ${type ?? ''}`;
  return undefined;
}

const record = (name: string): Endpoint => ({ dnsName: name, targets: ['192.0.2.7'], recordType: 'A' });

async function recordNames(url: string): Promise<string[]> {
  const response = await fetch(url, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
  expect(response.status).toBe(200);
  return ((await response.json()) as Endpoint[]).map((e) => e.dnsName).sort();
}

describe('the webhook API under DNSGATE_WEBHOOK_PATH_PREFIX=/dns', () => {
  jest.setTimeout(60_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
    dnsgate = await spawnOn(backend, { DNSGATE_WEBHOOK_PATH_PREFIX: '/dns/' });
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  it('serves the whole protocol under the prefix, as ExternalDNS calls it with --webhook-provider-url=http://host/dns', async () => {
    expect(await externalDnsNegotiation(`${dnsgate.webhookUrl}/dns`)).toBeUndefined();
    expect(await externalDnsNegotiation(`${dnsgate.webhookUrl}/dns/`)).toBeUndefined();
    const create = await postRaw(
      dnsgate.webhookUrl,
      '/dns/records',
      JSON.stringify({ create: [record('in.example.org')] }),
    );
    expect(create.status).toBe(204);
    expect(await recordNames(`${dnsgate.webhookUrl}/dns/records?x=1`)).toEqual(['in.example.org']);
    const adjusted = await postRaw(
      dnsgate.webhookUrl,
      '/dns/adjustendpoints',
      JSON.stringify([record('a.example.org')]),
    );
    expect(adjusted.status).toBe(200);
    expect(JSON.parse(adjusted.text)).toEqual([expect.objectContaining({ dnsName: 'a.example.org' })]);
  });

  it('makes ExternalDNS without the prefix stop at start with a log line that names the prefix', async () => {
    for (const path of ['/', '/other', '/dnsx']) {
      const error = await externalDnsNegotiation(`${dnsgate.webhookUrl}${path}`);
      expect(error).toMatch(/^wrong content type returned from server: .*DNSGATE_WEBHOOK_PATH_PREFIX/);
      expect(error).toContain('/dns');
    }
  });

  it('answers changes sent outside the prefix with a 404 naming it, and applies nothing', async () => {
    const before = await recordNames(`${dnsgate.webhookUrl}/dns/records`);
    for (const path of ['/records', '/adjustendpoints', '/x/records']) {
      const answer = await postRaw(dnsgate.webhookUrl, path, JSON.stringify({ create: [record('out.example.org')] }));
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text).message).toContain('/dns');
    }
    expect(await recordNames(`${dnsgate.webhookUrl}/dns/records`)).toEqual(before);
    expect(dnsgate.output()).toContain('is outside it');
  });
});

describe('a client with a path prefix dnsgate was not given', () => {
  jest.setTimeout(60_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
    dnsgate = await spawnOn(backend);
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  it('gets a 404 naming DNSGATE_WEBHOOK_PATH_PREFIX for /dns/records and /dns/adjustendpoints, and nothing is applied', async () => {
    // The negotiation on any other path is answered as the Go server helper does.
    expect(await externalDnsNegotiation(`${dnsgate.webhookUrl}/dns`)).toBeUndefined();
    const apply = await postRaw(
      dnsgate.webhookUrl,
      '/dns/records',
      JSON.stringify({ create: [record('x.example.org')] }),
    );
    expect(apply.status).toBe(404);
    expect(apply.text).toContain('DNSGATE_WEBHOOK_PATH_PREFIX');
    expect((await rawRequest(`${dnsgate.webhookUrl}/dns/records`)).status).toBe(404);
    expect((await postRaw(dnsgate.webhookUrl, '/dns/adjustendpoints/', '[]')).status).toBe(404);
    expect(await recordNames(`${dnsgate.webhookUrl}/records`)).toEqual([]);
  });
});

it('refuses to boot with a prefix that is not a path', async () => {
  const { code, output } = await runDnsgateExpectingFailure({
    DNSGATE_WEBHOOK_PATH_PREFIX: '/a b?c',
    DNSGATE_WEBHOOK_PORT: '0',
    DNSGATE_HEALTH_PORT: '0',
  });
  expect(code).toBe(1);
  expect(output).toContain('DNSGATE_WEBHOOK_PATH_PREFIX');
});
