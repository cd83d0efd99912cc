import Fastify, { type FastifyInstance } from 'fastify';
import type { serverTimeoutOptions } from '../http/server-timeouts.js';
import type { Registry } from 'prom-client';
import type { PluginHost } from '../plugins/plugin-host.service.js';

/**
 * `/healthz`, `/readyz` and `/metrics` on their own listener (0.0.0.0:8080
 * by default) while the webhook API stays on loopback. A plain Fastify
 * instance beside the Nest application: two Nest HTTP applications in one
 * process is not a path Nest supports well, and these three routes need no
 * DI beyond the two objects passed in.
 */
export function createHealthServer(
  plugin: PluginHost,
  registry: Registry,
  timeouts: ReturnType<typeof serverTimeoutOptions>,
): FastifyInstance {
  const server = Fastify({ logger: false, ...timeouts });

  server.get('/healthz', async (_request, reply) => {
    reply.header('content-type', 'text/plain; charset=utf-8');
    return 'ok\n';
  });

  server.get('/readyz', async (_request, reply) => {
    const readiness = await plugin.readiness();
    const entry = readiness.ready
      ? { plugin: plugin.name, instance: plugin.instanceName, ready: true }
      : { plugin: plugin.name, instance: plugin.instanceName, ready: false, reason: readiness.reason };
    reply.status(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ready' : 'not ready', plugins: [entry] };
  });

  server.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  return server;
}
