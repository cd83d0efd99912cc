import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './gateway-metrics.js';

/**
 * Counts every webhook request at the Fastify level, not in a Nest
 * interceptor, so that answers Nest never sees (413 and 415 from the body
 * parser, a 404) are counted too. The raw socket's `close` fires for every
 * request, answered or aborted, so the in-flight gauge cannot drift.
 */
export function registerHttpMetricsHooks(fastify: FastifyInstance, metrics: GatewayMetrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const started = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    reply.raw.once('close', () => {
      metrics.httpInFlight.dec();
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ route, method: request.method, status: String(reply.raw.statusCode) });
      metrics.httpDuration.observe({ route, method: request.method }, seconds);
    });
    done();
  });
}
