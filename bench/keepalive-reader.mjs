// A long-lived HTTP client for the benchmarks, in a plain node process of its
// own, as ExternalDNS is a long-lived client: each dnsgate is read over a
// keep-alive connection (one socket per origin, reused from read to read), so
// a read's time is dnsgate's answer, not the start of a client process
// (a curl process per read cost 20–40 ms on the 2-core machine, most of a
// cached read). Not inside the Jest process either: there its garbage
// collection was measured as much as the gateway.
//
// It reads commands on stdin, one a line, and answers each with one JSON line:
//   get URL   -> { ms, status, count }   a GET with the webhook media type, timed from the request
//                                        to the answer's last byte; `count` is the length of the JSON
//                                        array, parsed after the clock stopped (-1 when not an array)
// A failure answers { error }.
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const MEDIA = 'application/external.dns.webhook+json;version=1';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const call = request(url, { agent, headers: { Accept: MEDIA } }, (answer) => {
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('error', reject);
      answer.on('end', () => {
        const ms = performance.now() - started;
        let count = -1;
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (Array.isArray(parsed)) count = parsed.length;
        } catch {
          // not JSON: count stays -1
        }
        resolve({ ms, status: answer.statusCode, count });
      });
    });
    call.on('error', reject);
    call.end();
  });
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, url] = line.trim().split(/\s+/);
  let answer;
  try {
    if (command !== 'get' || !url) throw new Error(`unknown command: ${line}`);
    answer = await get(url);
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
agent.destroy();
