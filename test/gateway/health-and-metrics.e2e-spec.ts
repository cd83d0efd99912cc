import { BackendTimeoutError, BackendUnavailableError, ChangeRejectedError } from '@dnsgate/plugin-sdk';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { MemoryPluginFactory, MemoryPluginModule, type MemoryPlugin } from '../support/memory-plugin.js';
import { rawRequest } from '../support/raw-http.js';

async function metricsText(gateway: TestGateway): Promise<string> {
  const response = await fetch(`${gateway.healthUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([key, value]) => l.includes(`${key}="${value}"`));
  });
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('health, readiness and metrics', () => {
  let gateway: TestGateway;
  let plugin: MemoryPlugin;
  const SECRET = 'memory-token-9f8e7d6c5b4a';

  beforeAll(async () => {
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'memory', DNSGATE_MEMORY_TOKEN: SECRET },
      plugins: [MemoryPluginModule],
    });
    plugin = gateway.app.get(MemoryPluginFactory).instances.at(-1)!;
  });

  afterAll(() => gateway.close());

  afterEach(() => {
    plugin.failWith = undefined;
    plugin.ready = { ready: true };
  });

  it('answers /healthz while alive', async () => {
    const response = await fetch(`${gateway.healthUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('answers /readyz 200 naming the plugin when ready', async () => {
    const response = await fetch(`${gateway.healthUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      plugins: [{ plugin: 'memory', instance: 'memory', ready: true }],
    });
  });

  it('answers /readyz 503 with the plugin name and its reason when not ready', async () => {
    plugin.ready = { ready: false, reason: 'backend at 127.0.0.1:1 refused the connection' };
    const response = await fetch(`${gateway.healthUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      plugins: [
        { plugin: 'memory', instance: 'memory', ready: false, reason: 'backend at 127.0.0.1:1 refused the connection' },
      ],
    });
    expect(sample(await metricsText(gateway), 'dnsgate_plugin_ready', { plugin: 'memory' })).toBe(0);
  });

  it('counts a 400 in the request metrics', async () => {
    const before =
      sample(await metricsText(gateway), 'dnsgate_http_requests_total', {
        route: '/records',
        method: 'POST',
        status: '400',
      }) ?? 0;
    const response = await gateway.webhook('/records', { body: '{not json' });
    expect(response.status).toBe(400);
    const after = sample(await metricsText(gateway), 'dnsgate_http_requests_total', {
      route: '/records',
      method: 'POST',
      status: '400',
    });
    expect(after).toBe(before + 1);
  });

  it('counts a 415 from the body parser in the request metrics', async () => {
    const response = await rawRequest(`${gateway.webhookUrl}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(response.status).toBe(415);
    expect(
      sample(await metricsText(gateway), 'dnsgate_http_requests_total', { route: '/records', status: '415' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['backend down', new BackendUnavailableError('connection refused'), 503, 'unavailable'],
    ['backend slow', new BackendTimeoutError('no answer in 5 s'), 504, 'timeout'],
    ['batch rejected', new ChangeRejectedError('cannot create A x.example.com: it already exists'), 500, 'rejected'],
    ['unexpected crash', new TypeError('undefined is not a function'), 500, 'internal'],
  ])('answers %s with a 5xx (%i) and counts it', async (_what, error, status, kind) => {
    plugin.failWith = error;
    const response = await gateway.webhook('/records');
    expect(response.status).toBe(status);
    const text = await metricsText(gateway);
    expect(
      sample(text, 'dnsgate_http_requests_total', { route: '/records', method: 'GET', status: String(status) }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dnsgate_plugin_operation_errors_total', { plugin: 'memory', kind })).toBeGreaterThanOrEqual(1);
  });

  it('answers every webhook call with a 5xx, never a 4xx, while the backend is down', async () => {
    plugin.failWith = new BackendUnavailableError('connection refused');
    const calls = [
      gateway.webhook('/'),
      gateway.webhook('/records'),
      gateway.webhook('/records', {
        body: { create: [{ dnsName: 'a.example.com', targets: ['192.0.2.1'], recordType: 'A' }] },
      }),
      gateway.webhook('/adjustendpoints', { body: [] }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.status).toBeLessThanOrEqual(510);
    }
  });

  it('keeps secrets out of error answers and metrics', async () => {
    plugin.failWith = new BackendUnavailableError(`backend said: bad token ${SECRET}`);
    const response = await gateway.webhook('/records');
    const body = await response.text();
    expect(body).toContain('[REDACTED]');
    expect(body).not.toContain(SECRET);
    expect(await metricsText(gateway)).not.toContain(SECRET);
  });

  it('records plugin operation durations, records by type and changes applied', async () => {
    const apply = await gateway.webhook('/records', {
      body: { create: [{ dnsName: 'm.example.com', targets: ['192.0.2.1'], recordType: 'A' }] },
    });
    expect(apply.status).toBe(204);
    expect((await gateway.webhook('/records')).status).toBe(200);
    const text = await metricsText(gateway);
    expect(
      sample(text, 'dnsgate_plugin_changes_applied_total', { plugin: 'memory', action: 'create' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dnsgate_plugin_records', { plugin: 'memory', type: 'A' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'dnsgate_plugin_operation_duration_seconds_count', { operation: 'records' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/^dnsgate_http_requests_in_flight 0$/m);
  });
});

describe('start-up', () => {
  it('listens and answers negotiation before the plugin could start, and gets ready once it does', async () => {
    const factory = new MemoryPluginFactory();
    const original = factory.create.bind(factory);
    factory.create = (options, context) => {
      const created = original(options, context);
      created.startFailures = 1;
      return created;
    };
    const gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'memory' },
      plugins: [
        {
          module: class PatchedMemoryModule {},
          providers: [{ provide: MemoryPluginFactory, useValue: factory }],
        },
      ],
      waitForStart: false,
    });
    try {
      const notReady = await fetch(`${gateway.healthUrl}/readyz`);
      expect(notReady.status).toBe(503);
      expect(JSON.stringify(await notReady.json())).toContain('memory');
      expect((await gateway.webhook('/records')).status).toBe(503);
      // The zones are configuration, so negotiation already answers.
      const negotiation = await gateway.webhook('/');
      expect(negotiation.status).toBe(200);
      expect(await negotiation.json()).toEqual({ include: ['example.com'] });
      await gateway.backends.whenStarted(10_000);
      expect((await fetch(`${gateway.healthUrl}/readyz`)).status).toBe(200);
      expect((await gateway.webhook('/records')).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
