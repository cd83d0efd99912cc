// What the gateway itself costs on the large calls, apart from any backend:
// dnsgate with a plugin that does nothing, against a bare node:http server
// that only reads and parses (or serialises) the same JSON, in one run.
// Run on the built dist: `npm run bench:gateway`. Prints; asserts nothing.
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { startDnsgate } from '../apps/gateway/dist/index.js';
import { DnsgatePlugin, createPluginModule } from '../libs/plugin-sdk/dist/index.js';

const MEDIA = 'application/external.dns.webhook+json;version=1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ZONES = 100;

const stored = [];
class NullPlugin {
  async readiness() {
    return { ready: true };
  }
  async zones() {
    return Array.from({ length: ZONES }, (_, z) => `zone${z}.example`);
  }
  async records() {
    return stored;
  }
  checkRecord(endpoint) {
    return { ok: true, endpoint };
  }
  async readZoneState() {
    return { holds: () => false };
  }
  async writeGroup() {}
}
class NullPluginFactory {
  create() {
    return new NullPlugin();
  }
}
DnsgatePlugin({ name: 'null', description: 'does nothing, for measuring the gateway' })(NullPluginFactory);

function endpoints(count) {
  return Array.from({ length: count }, (_, i) => ({
    dnsName: `host${i}.zone${i % ZONES}.example`,
    targets: ['192.0.2.1', '192.0.2.2'],
    recordType: 'A',
    recordTTL: 300,
    labels: { owner: 'default', resource: `service/default/host${i}` },
  }));
}

function bareServer(recordsBody) {
  return new Promise((resolve) => {
    const server = createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method === 'POST') {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          response.writeHead(204).end();
        } else {
          response.writeHead(200, { 'content-type': MEDIA }).end(JSON.stringify(recordsBody));
        }
      });
    });
    server.keepAliveTimeout = 120_000;
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function time(fn) {
  const samples = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const post = (url, body) =>
  fetch(`${url}/records`, { method: 'POST', headers: { 'content-type': MEDIA, accept: MEDIA }, body }).then(
    async (r) => {
      if (r.status !== 204) throw new Error(`POST answered ${r.status}: ${await r.text()}`);
    },
  );
const get = (url) =>
  fetch(`${url}/records`, { headers: { accept: MEDIA } }).then(async (r) => {
    if (r.status !== 200) throw new Error(`GET answered ${r.status}`);
    return r.json();
  });

const dnsgate = await startDnsgate({
  env: {
    DNSGATE_PLUGIN: 'null',
    DNSGATE_WEBHOOK_PORT: '0',
    DNSGATE_HEALTH_PORT: '0',
    DNSGATE_HEALTH_HOST: '127.0.0.1',
    DNSGATE_LOG_LEVEL: 'error',
  },
  plugins: [createPluginModule(NullPluginFactory)],
});
await dnsgate.backends.whenStarted(5000);
stored.push(...endpoints(100_000));
const bare = await bareServer(stored);
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

const applyBody = JSON.stringify({ create: endpoints(10_000) });
const applyDnsgate = await time(() => post(dnsgate.webhookUrl, applyBody));
const applyBare = await time(() => post(bareUrl, applyBody));
const readDnsgate = await time(() => get(dnsgate.webhookUrl));
const readBare = await time(() => get(bareUrl));

console.log(`gateway overhead benchmark (node ${process.version}, median of ${RUNS})`);
console.log(
  `POST /records, 10k creates: dnsgate ${applyDnsgate.toFixed(0)} ms vs bare JSON server ${applyBare.toFixed(0)} ms → ${(applyDnsgate / applyBare).toFixed(2)}×, ${(applyDnsgate - applyBare).toFixed(0)} ms added`,
);
console.log(
  `GET /records, 100k endpoints: dnsgate ${readDnsgate.toFixed(0)} ms vs bare JSON server ${readBare.toFixed(0)} ms → ${(readDnsgate / readBare).toFixed(2)}×, ${(readDnsgate - readBare).toFixed(0)} ms added`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
// For `npm run bench` (bench/report.mjs): the same JSON lines as bench-support.ts's recordResult.
if (process.env.BENCH_RESULTS) {
  const result = (measure, size, dnsgateMs, bareMs) =>
    appendFileSync(
      process.env.BENCH_RESULTS,
      `${JSON.stringify({ benchmark: 'gateway', backend: 'gateway', measure, size, unit: 'ms', dnsgate: dnsgateMs, baselineName: 'bare node:http JSON server', baseline: bareMs, ratio: dnsgateMs / bareMs, note: 'no goal: what the gateway adds with a plugin that does nothing' })}\n`,
    );
  result('POST 10,000 creates', 10_000, applyDnsgate, applyBare);
  result('GET /records', 100_000, readDnsgate, readBare);
}
await dnsgate.close();
bare.close();
