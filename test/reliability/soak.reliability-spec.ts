import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { planDifferences } from '../support/external-dns-plan.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startBackend, type BackendKind, type TestBackend } from '../hostile/hostile-backends.js';
import { HttpClient } from './support/http-client.js';
import { mib, PartResults } from './support/results.js';

/**
 * Soak: ExternalDNS reconcile cycles (AdjustEndpoints, Records, plan,
 * ApplyChanges with one changed record) against gateways on the file plugin,
 * PowerDNS and BIND, all at once in this process. Every request must succeed;
 * the heap after a forced GC is sampled at intervals and must not keep growing.
 */
const CYCLES: Record<BackendKind, number> = {
  file: Number(process.env.DNSGATE_SOAK_FILE_CYCLES ?? 10_000),
  powerdns: Number(process.env.DNSGATE_SOAK_SERVER_CYCLES ?? 2_000),
  rfc2136: Number(process.env.DNSGATE_SOAK_SERVER_CYCLES ?? 2_000),
};
/** Parallel ExternalDNS loops per backend, each on its own zone. */
const LOOPS: Record<BackendKind, number> = { file: 4, powerdns: 2, rfc2136: 2 };
const RECORDS_PER_LOOP = 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): { heap: number; rss: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

describe('soak: reconcile cycles against every backend', () => {
  const results = new PartResults('soak');
  const backends: TestBackend[] = [];
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    results.flush();
    for (const gateway of gateways) await gateway.close();
    for (const backend of backends) await backend.dispose();
  });

  it('runs every cycle without a failed request, and memory stops growing', async () => {
    const kinds: BackendKind[] = ['file', 'powerdns', 'rfc2136'];
    const done: Record<string, number> = { file: 0, powerdns: 0, rfc2136: 0 };
    const failures: string[] = [];
    // The soak is about memory and failed requests, not disk latency: zone files, the
    // PowerDNS database and BIND's journals go to tmpfs where there is one, so 14,000
    // cycles of fsyncs fit in CI's time (the crash-safety part writes to a real disk).
    const tmp = process.env.TMPDIR;
    if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
    try {
      for (const kind of kinds) {
        const zones = Array.from({ length: LOOPS[kind] }, (_, i) => `soak${i}.example`);
        const backend = await startBackend(kind, zones);
        backends.push(backend);
        gateways.push(await startGateway({ env: { ...backend.env, DNSGATE_LOG_LEVEL: 'error' } }));
      }
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }

    const samples: Array<{ cycles: number; heap: number; rss: number }> = [];
    const total = kinds.reduce((sum, kind) => sum + CYCLES[kind], 0);
    let sampled = 0;
    const sample = () => {
      const cycles = kinds.reduce((sum, kind) => sum + done[kind]!, 0);
      const { heap, rss } = heapAfterGc();
      samples.push({ cycles, heap, rss });
      const each = kinds.map((kind) => `${kind} ${done[kind]}`).join(', ');
      process.stdout.write(`soak: ${cycles}/${total} cycles (${each}), heap after GC ${mib(heap)}, RSS ${mib(rss)}\n`);
    };
    sample();

    const loop = async (kind: BackendKind, gateway: TestGateway, zone: string, cycles: number) => {
      const client = new HttpClient(gateway.webhookUrl);
      const desired: Endpoint[] = Array.from({ length: RECORDS_PER_LOOP }, (_, i) => ({
        dnsName: `r${i}.${zone}`,
        targets: [`10.1.${i}.1`],
        recordType: 'A',
        recordTTL: 300,
      }));
      const ask = async (method: string, path: string, body?: unknown) => {
        const answer = await client.call({
          method,
          path,
          headers: { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (answer.error || answer.status >= 300) {
          if (failures.length < 20)
            failures.push(
              `${kind} ${method} ${path}: ${answer.status || answer.error} ${answer.body.toString().slice(0, 200)}`,
            );
          return undefined;
        }
        return answer.body.length > 0 ? (JSON.parse(answer.body.toString()) as Endpoint[]) : [];
      };
      try {
        for (let cycle = 0; cycle < cycles; cycle++) {
          const changed = desired[cycle % RECORDS_PER_LOOP]!;
          changed.targets = [`10.2.${cycle % 250}.${Math.floor(cycle / 250) % 250}`];
          const adjusted = await ask('POST', '/adjustendpoints', desired);
          const current = await ask('GET', '/records');
          if (!adjusted || !current) continue;
          const inZone = current.filter((e) => e.dnsName.endsWith(zone) && e.recordType === 'A');
          const have = new Map(inZone.map((e) => [e.dnsName, e]));
          const create = adjusted.filter((e) => !have.has(e.dnsName));
          const updateNew = adjusted.filter(
            (e) => have.has(e.dnsName) && planDifferences([e], [have.get(e.dnsName)!]).length > 0,
          );
          const updateOld = updateNew.map((e) => have.get(e.dnsName)!);
          if (create.length + updateNew.length > 0) await ask('POST', '/records', { create, updateOld, updateNew });
          done[kind]!++;
          if (sampled < Math.floor(kinds.reduce((s, k) => s + done[k]!, 0) / (total / 10))) {
            sampled++;
            sample();
          }
        }
      } finally {
        client.close();
      }
    };

    const started = Date.now();
    await Promise.all(
      kinds.flatMap((kind, index) =>
        Array.from({ length: LOOPS[kind] }, (_, i) =>
          loop(kind, gateways[index]!, `soak${i}.example`, Math.ceil(CYCLES[kind] / LOOPS[kind])),
        ),
      ),
    );
    sample();
    const seconds = (Date.now() - started) / 1000;

    // Growth after warm-up: the last samples against the lowest after the first tenth.
    const settled = samples.slice(2);
    const floor = Math.min(...settled.map((s) => s.heap));
    const last = samples.at(-1)!;
    const tail = samples.slice(-4).map((s) => s.heap);
    const risingEveryTime = tail.every((heap, i) => i === 0 || heap > tail[i - 1]!);
    const growing = risingEveryTime && last.heap > floor * 1.25;

    for (const kind of kinds) results.add(`reconcile cycles, ${kind}`, done[kind]!, done[kind]! >= CYCLES[kind]);
    results.add('failed requests', failures.length, failures.length === 0);
    results.add(
      'heap after GC: first, lowest, last',
      `${mib(samples[0]!.heap)}, ${mib(floor)}, ${mib(last.heap)}`,
      !growing,
    );
    results.add('RSS: first, last', `${mib(samples[0]!.rss)}, ${mib(last.rss)}`, 'info');
    results.add('duration', `${seconds.toFixed(0)} s`, 'info');
    if (failures.length > 0) process.stdout.write(`soak failures:\n  ${failures.join('\n  ')}\n`);
    expect(failures).toEqual([]);
    expect(growing).toBe(false);
    for (const kind of kinds) expect(done[kind]).toBeGreaterThanOrEqual(CYCLES[kind]);
  });
});
