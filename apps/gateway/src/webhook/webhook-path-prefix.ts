import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** Where rewriteWebhookUrl sends a path outside the prefix, for the hook below to answer. */
const OUTSIDE_PREFIX = '/\0dnsgate-outside-prefix';
/** The webhook routes; an unknown path ending in one of them is a client with the wrong prefix. */
const ROUTE_NAMES = new Set(['records', 'adjustendpoints']);

/**
 * `DNSGATE_WEBHOOK_PATH_PREFIX` as a path: `/dns` for `dns`, `/dns/` or `/dns`;
 * empty for none (or `/`). Throws a message for anything that is not a plain path.
 */
export function normalizePathPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  const path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (!/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(path)) {
    throw new Error(`DNSGATE_WEBHOOK_PATH_PREFIX: ${JSON.stringify(prefix)} is not a URL path such as /dns`);
  }
  return path;
}

/**
 * Fastify's rewriteUrl: the webhook API is served under the prefix
 * ExternalDNS keeps from `--webhook-provider-url` (`http://localhost:8888/dns`
 * calls `/dns`, `/dns/records`, `/dns/adjustendpoints`); a path outside it is
 * marked for registerPathPrefixGuard to answer.
 */
export function webhookUrlRewriter(prefix: string): ((request: IncomingMessage) => string) | undefined {
  if (prefix === '') return undefined;
  return (request) => {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path === prefix || path.startsWith(`${prefix}/`)) return url.slice(prefix.length) || '/';
    return OUTSIDE_PREFIX;
  };
}

/**
 * Answers the requests that reached the wrong path, before any route runs, so
 * that ExternalDNS's own log says what is wrong (it prints no answer body):
 *
 * - a GET outside the prefix is ExternalDNS's negotiation with a URL that
 *   lacks the prefix: a 200 whose Content-Type is not the webhook media type
 *   makes it stop at start with "wrong content type returned from server:
 *   <that Content-Type>", so the Content-Type carries the explanation (a 4xx
 *   would only log "status code < 500"), and the body is JSON it can decode;
 * - any other request outside the prefix, and a call to `<something>/records`
 *   or `<something>/adjustendpoints` that is not a webhook route (a client
 *   with a prefix dnsgate was not given), is a 404 naming the prefix. The Go
 *   server helper would answer those with the negotiation, and a 200 to a
 *   POST /x/records is a change silently not applied.
 */
export function registerPathPrefixGuard(
  fastify: FastifyInstance,
  prefix: string,
  warn: (message: string) => void,
): void {
  const expected = prefix === '' ? 'no path prefix' : `the path prefix ${prefix}`;
  const advice =
    prefix === ''
      ? 'set DNSGATE_WEBHOOK_PATH_PREFIX to the path of --webhook-provider-url, or remove the path from that URL'
      : `set --webhook-provider-url to http://<host>:<port>${prefix}, or DNSGATE_WEBHOOK_PATH_PREFIX to its path`;
  fastify.addHook('onRequest', (request, reply, done) => {
    const original = request.originalUrl;
    const path = request.url.split('?')[0]!;
    const outside = path === OUTSIDE_PREFIX;
    const lastSegment = path.replace(/\/+$/, '').split('/').at(-1) ?? '';
    const misrouted = !outside && !isWebhookRoute(path) && ROUTE_NAMES.has(lastSegment);
    if (!outside && !misrouted) {
      done();
      return;
    }
    const message = `dnsgate serves the webhook API with ${expected}; ${request.method} ${JSON.stringify(original)} is outside it: ${advice}`;
    warn(message);
    if (outside && request.method === 'GET') {
      void reply
        .status(200)
        .header('vary', 'Content-Type')
        .header('content-type', `application/json;error="dnsgate serves the webhook API with ${expected}: ${advice}"`)
        // JSON that decodes as a DomainFilter, since ExternalDNS decodes the body before it checks the type.
        .send(Buffer.from(JSON.stringify({ error: 'wrong path', message })));
      return;
    }
    void reply
      .status(404)
      .header('content-type', 'application/json')
      .send(Buffer.from(JSON.stringify({ error: 'Not Found', message })));
  });
}

function isWebhookRoute(path: string): boolean {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' || trimmed === '/records' || trimmed === '/adjustendpoints';
}
