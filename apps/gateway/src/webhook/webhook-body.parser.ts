import { WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_MEDIA_ESSENCE } from '@dnsgate/plugin-sdk';
import type { FastifyInstance } from 'fastify';
import { decodeJson } from './json-bytes.js';

/**
 * Parses JSON bodies sent as the webhook media type (Fastify would answer
 * 415 to it, which ExternalDNS treats as fatal) and as plain
 * `application/json`. The literal `null` is a valid body; an empty or
 * non-JSON body is a 400.
 */
export function registerWebhookBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    ['application/json', WEBHOOK_MEDIA_ESSENCE],
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : decodeJson(body);
      if (text.trim() === '') {
        done(badRequest('the request body is empty; send JSON (null for no changes)'), undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(badRequest(`the request body is not JSON: ${(error as Error).message}`), undefined);
      }
    },
  );
}

function badRequest(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 });
}
