// The CPU time of each step of a POST /records of N (default 10,000) creates
// to the PowerDNS plugin, in this process, with PowerDNS itself left out: the
// wire scan of the bytes (scanWireBody), their decoding and JSON.parse, the
// wire parser (parseChangesBody), the scope filter (a ZoneIndex lookup per
// name, what DomainScope.includes does with no domain filter configured), and
// the SDK batch pipeline with the real PowerDNS plugin's checks and its PATCH
// body writer (zone state empty, the PATCH not sent). The body is the one
// bench/powerdns.bench.ts sends: A and TXT registry records, one target each.
//
// CPU time (process.cpuUsage, so a loaded machine's waits do not count),
// median of ROUNDS (default 25) after 5 not counted. Run after `npm run build`:
//   node bench/powerdns-apply-cpu.mjs
// DNSGATE_ROOT=<dir> takes the built packages from another checkout's
// node_modules/@dnsgate (to compare two builds on the same machine, alternating).
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.env.DNSGATE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const load = (path) => import(pathToFileURL(`${root}/node_modules/@dnsgate/${path}`).href);
const { scanWireBody, parseChangesBody, ZoneIndex } = await load('protocol/dist/index.js');
const { BatchPipeline, Deadline } = await load('plugin-sdk/dist/index.js');
const { PowerDnsPlugin } = await load('plugin-powerdns/dist/powerdns.plugin.js');
const { ReportedRrsets } = await load('plugin-powerdns/dist/mapping/rrset-changes.js');
const { PatchBodyWriter } = await load('plugin-powerdns/dist/client/patch-body.writer.js');

const N = Number(process.env.N ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 25);
const WARM_UP = 5;
const zone = 'g1.bench.test';

const create = [];
for (let i = 0; i < N; i++) {
  const host = i % 2 === 0 ? i : i - 1;
  create.push(
    i % 2 === 0
      ? {
          dnsName: `host${host}.${zone}`,
          recordType: 'A',
          targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
          recordTTL: 300,
        }
      : {
          dnsName: `a-host${host}.${zone}`,
          recordType: 'TXT',
          targets: [
            `"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/host${host}"`,
          ],
          recordTTL: 300,
        },
  );
}
const bytes = Buffer.from(JSON.stringify({ create }));

const writer = new PatchBodyWriter();
// Both ways a build of the plugin may hand its body over (DNSGATE_ROOT may be an older build).
const client = {
  endpoint: 'in-process',
  patchZone: async (_id, rrsets) => void writer.write(rrsets),
  patchZoneWith: async (_id, fill) => {
    writer.begin();
    fill(writer);
    writer.end();
  },
};
const metrics = new Proxy({}, { get: () => ({ inc() {}, set() {} }) });
const settings = {
  fixedZones: [zone],
  defaultTtl: 300,
  concurrency: 4,
  zoneRead: 'export',
  operationTimeoutMs: 10_000,
  createZones: false,
  zoneNameservers: [],
  zoneCacheMs: 1_000,
};
const quiet = { log() {}, warn() {}, debug() {}, error() {} };
const context = {
  pluginName: 'powerdns',
  instanceName: 'powerdns',
  optionPrefix: 'DNSGATE_POWERDNS_',
  metrics: {},
  logger: quiet,
};
const plugin = new PowerDnsPlugin(settings, client, context, metrics);
plugin.readZoneState = async () => ReportedRrsets.ofKeys([]);
const pipeline = new BatchPipeline(plugin);
const index = new ZoneIndex([zone]);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const steps = {
  'wire scan': [],
  'decode + JSON.parse': [],
  'wire parser': [],
  'scope filter': [],
  'SDK pipeline + plugin': [],
};
const names = Object.keys(steps);
for (let round = 0; round < WARM_UP + ROUNDS; round++) {
  const marks = [cpuMs()];
  const scan = scanWireBody(bytes, 'changes');
  if (scan.verdict !== 'parse') throw new Error(`the scan refused the body: ${scan.verdict}`);
  marks.push(cpuMs());
  const body = JSON.parse(bytes.toString('latin1'));
  marks.push(cpuMs());
  const changes = parseChangesBody(body);
  marks.push(cpuMs());
  const inScope = (endpoint) => index.holds(endpoint.dnsName);
  const filtered = {
    create: changes.create.filter(inScope),
    updateOld: [],
    updateNew: [],
    delete: changes.delete.filter(inScope),
  };
  marks.push(cpuMs());
  const report = await pipeline.apply(filtered, { zones: [zone], deadline: Deadline.in(60_000) }).finished;
  if (!report.complete) throw new Error(report.summary());
  marks.push(cpuMs());
  if (round >= WARM_UP) names.forEach((name, i) => steps[name].push(marks[i + 1] - marks[i]));
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(
  `POST /records of ${N} creates to the PowerDNS plugin, in process (PowerDNS left out): CPU ms, median of ${ROUNDS}`,
);
let total = 0;
for (const name of names) {
  total += median(steps[name]);
  console.log(`  ${name.padEnd(24)} ${median(steps[name]).toFixed(1).padStart(7)} ms`);
}
console.log(`  ${'sum of the medians'.padEnd(24)} ${total.toFixed(1).padStart(7)} ms`);
// Each step's median leaves out the garbage collections that fall in its slower rounds; the median of
// the rounds' totals keeps them (what an allocation saved shows up in, when it saves a collection).
const totals = steps[names[0]].map((_, round) => names.reduce((sum, name) => sum + steps[name][round], 0));
console.log(`  ${'whole POST (round totals)'.padEnd(24)} ${median(totals).toFixed(1).padStart(7)} ms`);
