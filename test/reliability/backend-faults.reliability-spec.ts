import { afterAll, describe, expect, it } from '@jest/globals';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import type { DnsgateProcess } from '../support/dnsgate-process.js';
import { spawnDnsgate } from '../support/dnsgate-process.js';
import { startBackend, type TestBackend } from '../hostile/hostile-backends.js';
import { HttpClient, type HttpAnswer } from './support/http-client.js';
import { PartResults } from './support/results.js';

/**
 * Backend faults on PowerDNS and BIND: down at boot, killed, stalled
 * (SIGSTOP), killed in the middle of an apply. Each answer must be a 5xx
 * inside ExternalDNS's 15 s, /readyz must say why, and the gateway must
 * recover without a restart. What an answer reports as applied is checked
 * against what landed as far as today's answers tell: a 204 means all of it.
 */
const ZONE = 'faults.example';
const EXTERNAL_DNS_DEADLINE_MS = 15_000;

const a = (name: string, i: number): Endpoint => ({
  dnsName: `${name}.${ZONE}`,
  targets: [`10.9.${Math.floor(i / 250)}.${i % 250}`],
  recordType: 'A',
  recordTTL: 300,
});

interface Faultable {
  kill(): void;
  stall(): void;
  resume(): void;
  down(): Promise<void>;
  up(): Promise<void>;
}

function faultsOf(backend: TestBackend): Faultable {
  if (backend.powerdns) {
    const server = backend.powerdns;
    return {
      kill: () => process.kill(server.pid!, 'SIGKILL'),
      stall: () => server.stall(),
      resume: () => server.resume(),
      down: () => server.halt(),
      up: async () => {
        await server.halt();
        await server.launch();
      },
    };
  }
  const bind = backend.bind!;
  return {
    kill: () => bind.signal('SIGKILL'),
    stall: () => bind.signal('SIGSTOP'),
    resume: () => bind.signal('SIGCONT'),
    down: () => bind.stop(),
    up: () => bind.restart(),
  };
}

describe.each(['powerdns', 'rfc2136'] as const)('backend faults with the %s plugin', (kind) => {
  const results = new PartResults(`backend faults ${kind}`);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess | undefined;
  let client: HttpClient;
  afterAll(async () => {
    results.flush();
    client?.close();
    await dnsgate?.stop();
    await backend?.dispose();
  });

  const label = kind === 'powerdns' ? 'PowerDNS' : 'BIND';
  const row = (check: string, figure: string | number, ok: boolean | string) =>
    results.add(`${label}: ${check}`, figure, ok);
  const call = (method: string, path: string, body?: unknown): Promise<HttpAnswer> =>
    client.call(
      {
        method,
        path,
        headers: { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      20_000,
    );
  const readyz = async (): Promise<{ status: number; reason: string; ms: number }> => {
    const started = performance.now();
    const response = await fetch(`${dnsgate!.healthUrl}/readyz`, { signal: AbortSignal.timeout(20_000) });
    const body = (await response.json()) as { plugins: Array<{ reason?: string }> };
    return { status: response.status, reason: body.plugins[0]?.reason ?? '', ms: performance.now() - started };
  };
  /** Seconds until Records answers 200 again (the gateway recovered by itself), or -1 after 60 s. */
  const recovery = async (): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const answer = await call('GET', '/records');
      if (answer.status === 200 && (await readyz()).status === 200) return (Date.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return -1;
  };
  /** The answers to Records and ApplyChanges while the backend is faulty: all 5xx, all inside 15 s. */
  const duringFault = async (what: string, name: string) => {
    const answers = [await call('GET', '/records'), await call('POST', '/records', { create: [a(name, 1)] })];
    const slowest = Math.max(...answers.map((x) => x.ms));
    const statuses = answers.map((x) => x.status || x.error);
    const ok = answers.every((x) => x.status >= 500 && x.status <= 510) && slowest < EXTERNAL_DNS_DEADLINE_MS;
    row(`${what}: answers (slowest)`, `${statuses.join(', ')} (${(slowest / 1000).toFixed(1)} s)`, ok);
    const ready = await readyz();
    row(
      `${what}: /readyz`,
      `${ready.status} ${ready.reason.slice(0, 60)}`,
      ready.status === 503 && ready.reason !== '',
    );
    return { ok, ready };
  };

  it('answers 5xx in time, says why on /readyz and recovers without a restart, for each fault', async () => {
    backend = await startBackend(kind, [ZONE]);
    const faults = faultsOf(backend);
    const outcomes: boolean[] = [];

    // Down at boot.
    await faults.down();
    dnsgate = await spawnDnsgate({ env: { ...backend.env, DNSGATE_LOG_LEVEL: 'warn' }, waitFor: 'healthz' });
    client = new HttpClient(dnsgate.webhookUrl);
    const negotiation = await call('GET', '/');
    row('down at boot: GET /', negotiation.status, negotiation.status === 200 || negotiation.status === 503);
    outcomes.push((await duringFault('down at boot', 'boot')).ok);
    await faults.up();
    const bootRecovery = await recovery();
    row('down at boot: recovered after start (no restart)', `${bootRecovery} s`, bootRecovery >= 0);
    outcomes.push(bootRecovery >= 0);

    // Killed.
    expect((await call('POST', '/records', { create: [a('before-kill', 2)] })).status).toBe(204);
    faults.kill();
    outcomes.push((await duringFault('killed', 'killed')).ok);
    await faults.up();
    const killRecovery = await recovery();
    row('killed: recovered after relaunch', `${killRecovery} s`, killRecovery >= 0);
    outcomes.push(killRecovery >= 0);

    // Stalled.
    faults.stall();
    const stalled = await duringFault('stalled (SIGSTOP)', 'stalled');
    outcomes.push(stalled.ok);
    faults.resume();
    const stallRecovery = await recovery();
    row('stalled: recovered after SIGCONT', `${stallRecovery} s`, stallRecovery >= 0);
    outcomes.push(stallRecovery >= 0);

    // Killed in the middle of an apply, several times.
    let landedAsReported = 0;
    let partial = 0;
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const batch = Array.from({ length: 400 }, (_, i) => a(`mid${round}-${i}`, i));
      const pending = call('POST', '/records', { create: batch });
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 150));
      faults.kill();
      const answer = await pending;
      const inTime =
        answer.ms < EXTERNAL_DNS_DEADLINE_MS &&
        (answer.status === 204 || (answer.status >= 500 && answer.status <= 510));
      await faults.up();
      await recovery();
      const records = await call('GET', '/records');
      const names = new Set((JSON.parse(records.body.toString()) as Endpoint[]).map((e) => e.dnsName));
      const landed = batch.filter((e) => names.has(e.dnsName)).length;
      if (answer.status === 204) {
        if (landed === batch.length) landedAsReported++;
      } else if (reportMatches(answer.body, landed)) {
        landedAsReported++;
      }
      if (answer.status !== 204 && landed > 0 && landed < batch.length) partial++;
      // ExternalDNS's next reconcile: it plans what is missing again, and that converges.
      const missing = batch.filter((e) => !names.has(e.dnsName));
      const retry = missing.length > 0 ? await call('POST', '/records', { create: missing }) : { status: 204 };
      outcomes.push(inTime && retry.status === 204);
      if (!inTime || retry.status !== 204) {
        row(
          `mid-apply kill ${round}: answer, retry`,
          `${answer.status || answer.error} in ${(answer.ms / 1000).toFixed(1)} s, ${retry.status}`,
          false,
        );
      }
    }
    row(
      'mid-apply kills: what the answer said landed (a 204: all; a 5xx: its applied count) is what landed',
      `${landedAsReported} of ${rounds}`,
      landedAsReported === rounds,
    );
    row('mid-apply kills: partly landed batches behind a 5xx, each named in the answer', partial, 'info');
    outcomes.push(landedAsReported === rounds);

    expect(outcomes.every(Boolean)).toBe(true);
  });
});

/**
 * Whether a soft error's report matches what landed: every change it counts
 * as applied landed, and, where it names every change that did not land
 * (no more than it lists) without one that "may have landed", nothing else did.
 */
function reportMatches(body: Buffer | undefined, landed: number): boolean {
  let report: { applied?: number; changes?: Array<{ mayHaveLanded?: boolean }>; more?: number };
  try {
    report = JSON.parse(body?.toString() ?? '') as typeof report;
  } catch {
    return false;
  }
  if (typeof report.applied !== 'number' || landed < report.applied) return false;
  const uncertain = (report.changes ?? []).some((change) => change.mayHaveLanded) || (report.more ?? 0) > 0;
  return uncertain || landed === report.applied;
}
