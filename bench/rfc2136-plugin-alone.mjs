// The "plugin alone" half of bench/rfc2136.bench.ts: the built rfc2136 plugin
// (plugins/rfc2136/dist, the code the gateway runs) in a plain node process of
// its own, without the gateway, HTTP, JSON or Jest. Started by the bench, it
// reads commands on stdin, one a line, and answers each with one JSON line:
//   create ZONE COUNT  -> { ms, cpuMs }   COUNT creates (A records) into ZONE, one ApplyChanges; cpuMs is this
//                                         process's CPU time (user + system) for it, which the load of a shared
//                                         machine moves less than the wall time
//   read ZONE          -> { ms, waitingMs, endpoints, jsonMs }   one Records call for ZONE; waitingMs: the part
//                                         of it the event loop was idle (waiting for the server); jsonMs: then its answer's JSON
//                                         made by the gateway's own JsonArrayStream (apps/gateway/dist), written
//                                         to a sink that drops it: the gateway's serialising without HTTP
//   read-ahead ZONE    -> { ms, waitingMs, endpoints, bytes }   one Records call for ZONE handing its finished
//                                         record sets to the gateway's own SerialisedAhead (EarlyEndpoints), as
//                                         the gateway reads it: ms ends when the answer's bytes are all made
//   read-serialised ZONE -> { ms, waitingMs, endpoints, bytes }   serialisedRecords for ZONE: the answer's
//                                         JSON written from the transfer's messages, as the gateway reads it
//                                         when it would send the read unchanged
//   versions ZONE      -> { ms, version }     zoneVersions for ZONE (one SOA query)
//   keep ZONE          -> { ms, version, endpoints }   readVersionedZone (AXFR), kept as the cached read
//   difference ZONE    -> { ms, version, endpoints }   readZoneDifference from the kept read (IXFR), which
//                                                      stays kept, so every run reads the same difference
//   rss                -> { peakMb }
// The server, key and batch size come from the DNSGATE_RFC2136_* environment.
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { Deadline, loadPluginOptions } from '@dnsgate/plugin-sdk';
import { createTestPluginContext, drivePlugin } from '@dnsgate/plugin-sdk/testkit';
import { Rfc2136Options, Rfc2136PluginFactory } from '@dnsgate/plugin-rfc2136';
import { Writable } from 'node:stream';
import { JsonArrayStream } from '../apps/gateway/dist/webhook/json-array.stream.js';
import { RecordsAnswer } from '../apps/gateway/dist/webhook/records-answer.js';
import { SerialisedAhead } from '../apps/gateway/dist/webhook/serialised-ahead.js';

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('DNSGATE_RFC2136_')));
const { options } = loadPluginOptions(Rfc2136Options, 'DNSGATE_RFC2136_', env);
// Driven as the gateway drives it: the SDK's batch pipeline around the plugin.
const bare = new Rfc2136PluginFactory().create(options, createTestPluginContext('rfc2136'));
const plugin = drivePlugin(bare);
/** The versioned reads kept by `keep`, by zone: what the records cache would hold. */
const kept = new Map();
const call = () => ({ deadline: Deadline.in(60_000) });

function ip(i) {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** The bytes of the answer's JSON as the gateway streams it, written to a sink that only counts them. */
function answerBytes(endpoints) {
  let bytes = 0;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return new Promise((resolve, reject) => {
    sink.on('finish', () => resolve(bytes));
    sink.on('error', reject);
    new JsonArrayStream([endpoints]).pipe(sink);
  });
}

async function run(line) {
  const [command, zone, count] = line.trim().split(/\s+/);
  if (command === 'create') {
    const create = Array.from({ length: Number(count) }, (_, i) => ({
      dnsName: `h${i}.${zone}`,
      targets: [ip(i)],
      recordType: 'A',
      recordTTL: 300,
    }));
    const cpu = process.cpuUsage();
    const started = performance.now();
    await plugin.applyChanges({ create });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { ms, cpuMs: (used.user + used.system) / 1000 };
  }
  if (command === 'read') {
    const loop = performance.eventLoopUtilization();
    const started = performance.now();
    const endpoints = await plugin.records({ zones: [zone] });
    const ms = performance.now() - started;
    // The time the process had nothing to do while the transfer ran: it was waiting for the server.
    const { idle: waitingMs } = performance.eventLoopUtilization(loop);
    const serialising = performance.now();
    const bytes = await answerBytes(endpoints);
    return { ms, waitingMs, endpoints: endpoints.length, jsonMs: performance.now() - serialising, bytes };
  }
  if (command === 'read-ahead') {
    const ahead = new SerialisedAhead();
    const loop = performance.eventLoopUtilization();
    const started = performance.now();
    const endpoints = await bare.records({ zones: [zone] }, { ...call(), early: ahead });
    const chunks = new RecordsAnswer(ahead.partsOf(endpoints)).toChunks();
    const ms = performance.now() - started;
    const { idle: waitingMs } = performance.eventLoopUtilization(loop);
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    return { ms, waitingMs, endpoints: endpoints.length, bytes };
  }
  if (command === 'read-serialised') {
    const loop = performance.eventLoopUtilization();
    const started = performance.now();
    const answer = await bare.serialisedRecords({ zones: [zone] }, call());
    const ms = performance.now() - started;
    const { idle: waitingMs } = performance.eventLoopUtilization(loop);
    const bytes = answer.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    return { ms, waitingMs, endpoints: answer.count, bytes };
  }
  if (command === 'versions') {
    const started = performance.now();
    const versions = await bare.zoneVersions.currentVersions([zone], call());
    return { ms: performance.now() - started, version: versions.get(zone) };
  }
  if (command === 'keep') {
    const started = performance.now();
    const read = await bare.zoneVersions.readVersionedZone(zone, call());
    kept.set(zone, read);
    return { ms: performance.now() - started, version: read.version, endpoints: read.endpoints.length };
  }
  if (command === 'difference') {
    const started = performance.now();
    const read = await bare.zoneVersions.readZoneDifference(zone, kept.get(zone), call());
    const ms = performance.now() - started;
    if (!read) throw new Error(`the server did not answer ${zone}'s IXFR with a difference`);
    return { ms, version: read.version, endpoints: read.endpoints.length };
  }
  if (command === 'rss') {
    const status = readFileSync('/proc/self/status', 'utf8');
    return { peakMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  }
  throw new Error(`unknown command ${JSON.stringify(line)}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  try {
    process.stdout.write(`${JSON.stringify(await run(line))}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
  }
}
