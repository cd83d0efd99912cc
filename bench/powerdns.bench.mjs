// Benchmark of the powerdns plugin against a real PowerDNS, run on the built
// dist (`npm run build` first; `npm run bench:powerdns` does both). Every
// figure is a ratio against the direct PowerDNS API in the same run, on the
// same server, so the machine's speed cancels out. Not a test: it prints.
//
//   GET /records through dnsgate  vs  list + GET of the same zones, straight from the API
//     - 10k records in one zone (goal ≤ 1.25×)
//     - 100k records in 100 zones (goal ≤ 1.25×, and under 3 s)
//   ApplyChanges of 10k creates   vs  one direct PATCH of the same rrsets (goal ≤ 1.2×)
//   ApplyChanges of 1 update in a 10k-record zone  vs  one direct PATCH of that rrset
//     (no goal: dnsgate reads the zone to check the batch first, a GET as large as the zone)
//   peak RSS of the process (dnsgate runs in it, beside the baseline client)
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startDnsgate } from '../apps/gateway/dist/index.js';

const MEDIA = 'application/external.dns.webhook+json;version=1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONCURRENCY = 4;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startPdns() {
  const dir = mkdtempSync(join(tmpdir(), 'dnsgate-bench-pdns-'));
  const apiKey = randomBytes(18).toString('base64url');
  const [apiPort, dnsPort] = [await freePort(), await freePort()];
  execFileSync('sqlite3', [join(dir, 'pdns.sqlite3')], {
    input: readFileSync('/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql'),
  });
  writeFileSync(
    join(dir, 'pdns.conf'),
    [
      'launch=gsqlite3',
      `gsqlite3-database=${join(dir, 'pdns.sqlite3')}`,
      'local-address=127.0.0.1',
      `local-port=${dnsPort}`,
      'api=yes',
      `api-key=${apiKey}`,
      'webserver=yes',
      'webserver-address=127.0.0.1',
      `webserver-port=${apiPort}`,
      'webserver-allow-from=127.0.0.1,::1',
      'webserver-max-bodysize=256',
      'daemon=no',
      'guardian=no',
      'security-poll-suffix=',
      'default-soa-content=ns1.example.net. hostmaster.@ 0 10800 3600 604800 3600',
      `socket-dir=${dir}`,
      'loglevel=3',
      '',
    ].join('\n'),
  );
  const child = spawn('pdns_server', [`--config-dir=${dir}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await request(`${url}/api/v1/servers/localhost`, { headers: { 'x-api-key': apiKey } });
      await r.body.text();
      if (r.statusCode === 200) break;
    } catch {
      /* starting */
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const api = async (method, path, body) => {
    const r = await request(`${url}/api/v1/servers/localhost${path}`, {
      method,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const text = await r.body.text();
    if (r.statusCode >= 300) throw new Error(`${method} ${path}: ${r.statusCode} ${text.slice(0, 200)}`);
    return text;
  };
  return {
    url,
    apiKey,
    api,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** rrsets of a zone: half A, half TXT-registry-like records. */
function rrsetsFor(zone, count) {
  const rrsets = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      rrsets.push({
        name: `host${i}.${zone}.`,
        type: 'A',
        ttl: 300,
        changetype: 'REPLACE',
        records: [{ content: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, disabled: false }],
      });
    } else {
      rrsets.push({
        name: `a-host${i - 1}.${zone}.`,
        type: 'TXT',
        ttl: 300,
        changetype: 'REPLACE',
        records: [
          {
            content: `"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/host${i - 1}"`,
            disabled: false,
          },
        ],
      });
    }
  }
  return rrsets;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function time(fn) {
  const began = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - began) / 1e6, result };
}

async function gatewayFor(pdns) {
  return startDnsgate({
    env: {
      DNSGATE_PLUGIN: 'powerdns',
      DNSGATE_POWERDNS_URL: pdns.url,
      DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
      DNSGATE_POWERDNS_TIMEOUT: '30s',
      DNSGATE_POWERDNS_OPERATION_TIMEOUT: '120s',
      DNSGATE_WEBHOOK_PORT: '0',
      DNSGATE_HEALTH_HOST: '127.0.0.1',
      DNSGATE_HEALTH_PORT: '0',
      DNSGATE_LOG_LEVEL: 'error',
    },
  }).then(async (running) => {
    await running.plugin.whenStarted(30_000);
    return running;
  });
}

async function viaDnsgate(gateway) {
  const r = await request(`${gateway.webhookUrl}/records`, {
    headers: { accept: MEDIA },
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const body = await r.body.text();
  if (r.statusCode !== 200) throw new Error(`GET /records: ${r.statusCode} ${body.slice(0, 300)}`);
  return JSON.parse(body).length;
}

/** What a client of the API does for the same answer: list zones, GET each (4 at a time), parse. */
async function direct(pdns, zones) {
  JSON.parse(await pdns.api('GET', '/zones'));
  let rrsets = 0;
  let next = 0;
  const worker = async () => {
    while (next < zones.length) {
      const zone = zones[next++];
      rrsets += JSON.parse(await pdns.api('GET', `/zones/${zone}.`)).rrsets.length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, zones.length) }, worker));
  return rrsets;
}

async function compareRecords(label, pdns, zones) {
  const gateway = await gatewayFor(pdns);
  try {
    await viaDnsgate(gateway); // warm both paths once
    await direct(pdns, zones);
    const ours = [];
    const theirs = [];
    let endpoints = 0;
    for (let i = 0; i < RUNS; i++) {
      const a = await time(() => direct(pdns, zones));
      const b = await time(() => viaDnsgate(gateway));
      theirs.push(a.ms);
      ours.push(b.ms);
      endpoints = b.result;
    }
    const ratio = median(ours) / median(theirs);
    console.log(
      `${label}: GET /records ${endpoints} endpoints: dnsgate ${median(ours).toFixed(0)} ms vs direct API ${median(theirs).toFixed(0)} ms → ${ratio.toFixed(2)}× (median of ${RUNS})`,
    );
    return { ratio, ms: median(ours) };
  } finally {
    await gateway.close();
  }
}

async function compareApply(pdns, count) {
  const direct = [];
  const ours = [];
  const runs = Math.max(3, Math.ceil(RUNS / 2));
  for (let i = 0; i < runs; i++) {
    await pdns.api('POST', '/zones', { name: `d${i}.bench.test.`, kind: 'Native', nameservers: ['ns1.example.net.'] });
    await pdns.api('POST', '/zones', { name: `g${i}.bench.test.`, kind: 'Native', nameservers: ['ns1.example.net.'] });
    const rrsets = rrsetsFor(`d${i}.bench.test`, count);
    direct.push((await time(() => pdns.api('PATCH', `/zones/d${i}.bench.test.`, { rrsets }))).ms);
    const gateway = await gatewayFor(pdns);
    try {
      const create = rrsetsFor(`g${i}.bench.test`, count).map((r) => ({
        dnsName: r.name.slice(0, -1),
        recordType: r.type,
        targets: r.records.map((x) => x.content),
        recordTTL: 300,
      }));
      const { ms } = await time(async () => {
        const r = await request(`${gateway.webhookUrl}/records`, {
          method: 'POST',
          headers: { accept: MEDIA, 'content-type': MEDIA },
          body: JSON.stringify({ create }),
          headersTimeout: 600_000,
          bodyTimeout: 600_000,
        });
        const text = await r.body.text();
        if (r.statusCode !== 204) throw new Error(`POST /records: ${r.statusCode} ${text.slice(0, 300)}`);
      });
      ours.push(ms);
    } finally {
      await gateway.close();
    }
    await pdns.api('DELETE', `/zones/d${i}.bench.test.`);
    if (i < runs - 1) await pdns.api('DELETE', `/zones/g${i}.bench.test.`);
  }
  const ratio = median(ours) / median(direct);
  console.log(
    `ApplyChanges of ${count} creates: dnsgate ${median(ours).toFixed(0)} ms vs one direct PATCH ${median(direct).toFixed(0)} ms → ${ratio.toFixed(2)}× (median of ${runs})`,
  );
  return { ratio, zone: `g${runs - 1}.bench.test` };
}

/** One small update in a big zone: the cost of reading the zone to check the batch. */
async function compareSmallUpdate(pdns, zone) {
  const gateway = await gatewayFor(pdns);
  const direct = [];
  const ours = [];
  try {
    let current = '10.0.0.0';
    const update = async (next) => {
      const body = {
        updateOld: [{ dnsName: `host0.${zone}`, recordType: 'A', targets: [current], recordTTL: 300 }],
        updateNew: [{ dnsName: `host0.${zone}`, recordType: 'A', targets: [next], recordTTL: 300 }],
      };
      const r = await request(`${gateway.webhookUrl}/records`, {
        method: 'POST',
        headers: { accept: MEDIA, 'content-type': MEDIA },
        body: JSON.stringify(body),
        headersTimeout: 600_000,
        bodyTimeout: 600_000,
      });
      const text = await r.body.text();
      if (r.statusCode !== 204) throw new Error(`POST /records: ${r.statusCode} ${text.slice(0, 300)}`);
      current = next;
    };
    await update('10.250.0.1'); // warm up
    for (let i = 0; i < RUNS; i++) {
      const rrset = { name: `host2.${zone}.`, type: 'A', ttl: 300, changetype: 'REPLACE' };
      rrset.records = [{ content: `10.251.0.${i + 1}`, disabled: false }];
      direct.push((await time(() => pdns.api('PATCH', `/zones/${zone}.`, { rrsets: [rrset] }))).ms);
      ours.push((await time(() => update(`10.250.0.${i + 2}`))).ms);
    }
  } finally {
    await gateway.close();
  }
  const ratio = median(ours) / median(direct);
  console.log(
    `ApplyChanges of 1 update in a 10k-record zone: dnsgate ${median(ours).toFixed(0)} ms vs one direct PATCH ${median(direct).toFixed(0)} ms → ${ratio.toFixed(2)}× (median of ${RUNS})`,
  );
}

const pdns = await startPdns();
try {
  console.log(`PowerDNS benchmark (${new Date().toISOString()}, node ${process.version})`);
  const apply = await compareApply(pdns, 10_000);
  const tenK = await compareRecords('10k records in 1 zone', pdns, [apply.zone]);
  await compareSmallUpdate(pdns, apply.zone);
  await pdns.api('DELETE', `/zones/${apply.zone}.`);

  const zones = [];
  for (let z = 0; z < 100; z++) {
    const zone = `z${z}.bench.test`;
    zones.push(zone);
    await pdns.api('POST', '/zones', { name: `${zone}.`, kind: 'Native', nameservers: ['ns1.example.net.'] });
    await pdns.api('PATCH', `/zones/${zone}.`, { rrsets: rrsetsFor(zone, 1000) });
  }
  const hundredK = await compareRecords('100k records in 100 zones', pdns, zones);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS of the bench process (dnsgate in-process + baseline client): ${peakRssMb.toFixed(0)} MiB`);
  console.log(
    `goals: records 10k ${tenK.ratio <= 1.25 ? 'met' : 'MISSED'} (≤ 1.25×), records 100k ${hundredK.ratio <= 1.25 ? 'met' : 'MISSED'} (≤ 1.25×) and ${hundredK.ms < 3000 ? 'under' : 'NOT under'} 3 s, apply ${apply.ratio <= 1.2 ? 'met' : 'MISSED'} (≤ 1.2×)`,
  );
} finally {
  pdns.stop();
}
process.exit(0);
