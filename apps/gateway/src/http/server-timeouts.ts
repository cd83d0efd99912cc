/**
 * Go's HTTP client keeps idle connections for 90 s and does not retry a POST
 * whose connection was closed under it; Node closes idle ones after 5 s.
 * Staying above 90 s keeps ExternalDNS from seeing random, fatal EOFs.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

/**
 * The Fastify options that bound how long a request may take to arrive, for
 * both listeners. Without them a client trickling a body a byte at a time
 * holds a connection (and its buffers) for ever. They count only while a
 * request is arriving: an idle keep-alive connection between requests is
 * governed by the keep-alive timeout alone, and a request that has arrived
 * may take as long as its handler needs.
 *
 * `requestTimeoutMs` is the whole request, headers and body (ExternalDNS's
 * own write timeout is 10 s, so by then it has given up anyway); the headers
 * alone get at most as long, and Node checks the connections every second.
 */
export function serverTimeoutOptions(requestTimeoutMs: number): {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  const headersTimeout = Math.min(requestTimeoutMs, 10_000);
  return {
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: requestTimeoutMs,
    // No inactivity timeout on the socket: it would also cut idle keep-alive connections.
    connectionTimeout: 0,
    http: { headersTimeout, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1_000 },
  };
}
