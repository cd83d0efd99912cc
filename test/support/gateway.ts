import type { DynamicModule } from '@nestjs/common';
import { startDnsgate, type RunningDnsgate } from '@dnsgate/gateway';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';

export interface TestGateway extends RunningDnsgate {
  /** `fetch` against the webhook API with the media type in Accept (and Content-Type for a body). */
  webhook(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** AdjustEndpoints as ExternalDNS calls it; expects 200. */
  adjust(endpoints: Endpoint[]): Promise<Endpoint[]>;
  /** Records as ExternalDNS calls it; expects 200 and the exact media type. */
  records(): Promise<Endpoint[]>;
}

/**
 * Boots dnsgate in this process on free loopback ports, with the plugin
 * chosen by `DNSGATE_PLUGIN` in `env`, and waits until the plugin started.
 */
export async function startGateway(
  options: { env?: Record<string, string>; plugins?: DynamicModule[]; waitForStart?: boolean } = {},
): Promise<TestGateway> {
  const env = {
    DNSGATE_WEBHOOK_PORT: '0',
    DNSGATE_HEALTH_HOST: '127.0.0.1',
    DNSGATE_HEALTH_PORT: '0',
    DNSGATE_LOG_LEVEL: process.env.DNSGATE_TEST_LOG_LEVEL ?? 'error',
    ...options.env,
  };
  const running = await startDnsgate({ env, ...(options.plugins ? { plugins: options.plugins } : {}) });
  if (options.waitForStart !== false) await running.backends.whenStarted(30_000);
  const webhook: TestGateway['webhook'] = (path, init = {}) => {
    const headers: Record<string, string> = { accept: WEBHOOK_MEDIA_TYPE, ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] ??= WEBHOOK_MEDIA_TYPE;
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    }
    return fetch(running.webhookUrl + path, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    });
  };
  return {
    ...running,
    webhook,
    adjust: async (endpoints) => {
      const response = await webhook('/adjustendpoints', { body: endpoints });
      expect(response.status).toBe(200);
      return (await response.json()) as Endpoint[];
    },
    records: async () => {
      const response = await webhook('/records');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      return (await response.json()) as Endpoint[];
    },
  };
}
