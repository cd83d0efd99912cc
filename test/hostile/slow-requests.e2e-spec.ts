import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import type { DnsgateProcess } from '../support/dnsgate-process.js';
import { spawnOn, startBackend, type TestBackend } from './hostile-backends.js';

/** Issue 12, defect 5: a request that takes too long to arrive is cut, on both ports; idle keep-alive is not. */
const REQUEST_TIMEOUT_MS = 2_000;

interface Trickle {
  socket: Socket;
  /** Resolves with what the server sent before it closed the connection. */
  closed: Promise<string>;
  stop(): void;
}

/** Opens a connection, writes `head` at once, then one byte of `tail` every 300 ms (and nothing once it runs out). */
function trickle(url: string, head: string, tail: string): Trickle {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  let sent = 0;
  socket.once('connect', () => socket.write(head));
  const timer = setInterval(() => {
    if (sent < tail.length && !socket.destroyed) socket.write(tail[sent++]!);
  }, 300);
  closed.finally(() => clearInterval(timer));
  return { socket, closed, stop: () => socket.destroy() };
}

describe('slow requests on the running server', () => {
  jest.setTimeout(60_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
    dnsgate = await spawnOn(backend, { DNSGATE_REQUEST_RECEIVE_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  const ports = (): Array<[string, string, string]> => [
    ['webhook', dnsgate.webhookUrl, '/records'],
    ['health', dnsgate.healthUrl, '/readyz'],
  ];

  it('closes connections trickling a body, trickling headers, or silent, on both ports', async () => {
    const body = JSON.stringify({ create: [] }).padEnd(400, ' ');
    const started = Date.now();
    const trickles = ports().flatMap(([, url, path]) => [
      trickle(
        url,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        body,
      ),
      trickle(url, '', `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`),
      trickle(url, '', ''),
    ]);
    try {
      // A bound far above the configured 2 s, so a loaded machine cannot fail it, and far below "never".
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('a slow connection was still open after 30 s')), 30_000);
      });
      const answers = await Promise.race([Promise.all(trickles.map((t) => t.closed)), bound]).finally(() =>
        clearTimeout(timer),
      );
      for (const answer of answers) expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
      // None of them got to send its whole request (a byte every 300 ms takes over 60 s for the body).
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      for (const t of trickles) t.stop();
    }
  });

  it.each(['webhook', 'health'])(
    'keeps an idle keep-alive connection on the %s port well past the request timeout',
    async (which) => {
      const [, url, path] = ports().find(([name]) => name === which)!;
      const { hostname, port } = new URL(url);
      const socket = connect(Number(port), hostname);
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      let closedEarly = false;
      socket.once('close', () => (closedEarly = true));
      await new Promise((resolve) => socket.once('connect', resolve));
      const ask = async (): Promise<void> => {
        received = '';
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n`);
        while (!/\r\n\r\n/.test(received)) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await ask();
      expect(received).toMatch(/^HTTP\/1\.1 200/);
      await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 3));
      expect(closedEarly).toBe(false);
      await ask();
      expect(received).toMatch(/^HTTP\/1\.1 200/);
      socket.destroy();
    },
  );
});

describe('requests Node refuses before they reach a route', () => {
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
    dnsgate = await spawnOn(backend);
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  it('answers headers over 16 KiB with 431 and Connection: close, so a keep-alive client does not reuse a dead connection', async () => {
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const req = request(`${dnsgate.webhookUrl}/`, { headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection ?? ''}`));
        });
        req.on('error', (error) => resolve(`error ${error.message}`));
        req.end();
      });
    try {
      for (let i = 0; i < 5; i++) {
        expect(await call({ 'x-big': 'h'.repeat(20_000 + i * 1000) })).toBe('431 close');
        expect(await call({})).toBe('200 keep-alive');
      }
    } finally {
      agent.destroy();
    }
  });
});
