import { WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_MEDIA_ESSENCE } from '@dnsgate/plugin-sdk';
import { scanWireBody, type WireBodyKind } from '@dnsgate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJson, isBlank } from './json-bytes.js';

/**
 * Parses JSON bodies sent as the webhook media type (Fastify would answer
 * 415 to it, which ExternalDNS treats as fatal) and as plain
 * `application/json`. The literal `null` is a valid body; an empty or
 * non-JSON body is a 400.
 *
 * The bytes are judged by scanWireBody before JSON.parse builds anything
 * from them: a malformed body of up to the 32 MiB limit is a 400 in a
 * fraction of a second instead of seconds of JSON.parse, and a body for a
 * path that takes none is checked as JSON but never built.
 */
export function registerWebhookBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    ['application/json', WEBHOOK_MEDIA_ESSENCE],
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (request, body, done) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (isBlank(bytes)) {
        done(badRequest('the request body is empty; send JSON (null for no changes)'), undefined);
        return;
      }
      const kind = wireBodyKindOf(request);
      const scan = scanWireBody(bytes, kind);
      if (scan.verdict === 'unreadable') {
        done(badRequest(scan.message), undefined);
        return;
      }
      if (scan.verdict === 'refuse') {
        done(scan.error, undefined);
        return;
      }
      if (kind === undefined) {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(decodeJson(bytes)));
      } catch (error) {
        done(badRequest(`the request body is not JSON: ${(error as Error).message}`), undefined);
      }
    },
  );
}

/** The body a route takes (routes are matched before bodies are parsed); undefined for the routes that take none. */
function wireBodyKindOf(request: FastifyRequest): WireBodyKind | undefined {
  if (request.method !== 'POST') return undefined;
  const route = request.routeOptions.url;
  if (route === '/records') return 'changes';
  if (route === '/adjustendpoints') return 'endpoints';
  return undefined;
}

function badRequest(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 });
}
