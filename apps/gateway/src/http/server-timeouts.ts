import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

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
 * own write timeout is 10 s, so by then it has given up anyway), and Node
 * checks the connections every second. The headers get as long as the whole
 * request: Node measures wall-clock time, so a shorter headers timeout cut
 * requests that had arrived on time but waited behind a long parse (a 32 MiB
 * body of 16 million bad items blocks the event loop for seconds).
 */
export function serverTimeoutOptions(requestTimeoutMs: number): {
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    clientErrorHandler: answerClientError,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: requestTimeoutMs,
    // No inactivity timeout on the socket: it would also cut idle keep-alive connections.
    connectionTimeout: 0,
    http: { headersTimeout: requestTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1_000 },
  };
}

/**
 * A request Node's parser refuses (headers over 16 KiB, a request that took
 * too long to arrive, bytes that are not HTTP) is answered, then its
 * connection closed. Fastify's own handler closes it without saying
 * `Connection: close`, so a keep-alive client sent its next request on the
 * dying connection and saw it dropped, which ExternalDNS treats as fatal.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({
    error: STATUS_CODES[status],
    message: `the request was refused: ${STATUS_CODES[status]}`,
  });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
