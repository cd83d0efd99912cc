import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. DNS servers want the
 * same number for UDP and TCP; the TCP check is what matters for our tests.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}
