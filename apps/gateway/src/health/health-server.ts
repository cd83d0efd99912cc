import Fastify, { type FastifyInstance } from 'fastify';
import { LAZY_SCHEMA_CONTROLLER } from '../http/lazy-schema-compilers.js';
import type { serverTimeoutOptions } from '../http/server-timeouts.js';
import type { Registry } from 'prom-client';
import type { Backends } from '../backends/backends.service.js';

/**
 * `/healthz`, `/readyz` and `/metrics` on their own listener (0.0.0.0:8080
 * by default) while the webhook API stays on loopback. A plain Fastify
 * instance beside the Nest application: two Nest HTTP applications in one
 * process is not a path Nest supports well, and these three routes need no
 * DI beyond the two objects passed in.
 */
export function createHealthServer(
  backends: Backends,
  registry: Registry,
  timeouts: ReturnType<typeof serverTimeoutOptions>,
): FastifyInstance {
  const server = Fastify({ logger: false, ...timeouts, schemaController: LAZY_SCHEMA_CONTROLLER });

  server.get('/healthz', async (_request, reply) => {
    reply.header('content-type', 'text/plain; charset=utf-8');
    return 'ok\n';
  });

  server.get('/readyz', async (_request, reply) => {
    const instances = await backends.readiness();
    const ready = instances.every((instance) => instance.ready);
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', plugins: instances };
  });

  server.get('/metrics', async (_request, reply) => {
    // dnsgate_plugin_ready is only as fresh as the last readiness check; check
    // now, so a scrape sees a lost backend even when no probe asks /readyz.
    await backends.readiness();
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  return server;
}
