import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 now, for a server a test starts a
 * moment later. DNS servers want the same number for UDP and TCP; the TCP
 * check is what matters for our tests.
 *
 * The port is taken below the kernel's ephemeral range: a port that
 * `listen(0)` hands out comes from that range, and so does the local port of
 * every outgoing connection the tests make, so one of them could take it
 * before the server binds it (seen on CI as EADDRINUSE). No port is handed
 * out twice by one test process.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low, high] = candidateRange();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await canListen(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${low} and ${high} on ${host}`);
}

const handedOut = new Set<number>();

/** From 20000 to the start of the ephemeral range (32768 where /proc does not say). */
function candidateRange(): [number, number] {
  let ephemeralStart = 32768;
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (start && start > 21000) ephemeralStart = start;
  } catch {
    // not Linux: keep the usual start
  }
  return [20000, ephemeralStart];
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
