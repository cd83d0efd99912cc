/**
 * RFC2136 plugin benchmark, against one real BIND 9 in one run:
 *  1. 10,000 creates through dnsgate (POST /records to the built gateway
 *     process, BATCH_SIZE 50) vs `nsupdate -v` sending the same records in
 *     batches of 50 over TCP with the same TSIG key. Goal: ≤ 1.0×.
 *  2. GET /records of the 10,000-record zone through dnsgate vs
 *     `dig -y … AXFR` of it (median of 5). Goal: ≤ 1.2×.
 *  3. Peak RSS of the dnsgate process.
 * Run: npm run bench:rfc2136 (builds first).
 */
import { readFileSync } from 'node:fs';
import { startBind, type BindServer } from '../test/support/bind-server.js';
import { spawnDnsgate, type DnsgateProcess } from '../test/support/dnsgate-process.js';
import { runCommand } from '../test/support/run-command.js';
import { changes, createPlugin, rfc2136Env } from '../test/rfc2136/rfc2136-test-kit.js';

const COUNT = Number(process.env.BENCH_RECORDS ?? 10_000);
const BATCH = 50;
const MEDIA = 'application/external.dns.webhook+json;version=1';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

it(`rfc2136: ${COUNT} creates and a ${COUNT}-record read, dnsgate vs nsupdate / dig`, async () => {
  let bind: BindServer | undefined;
  let dnsgate: DnsgateProcess | undefined;
  try {
    bind = await startBind({
      zones: [
        { name: 'nsupdate.bench', updateKeys: ['bench'] },
        { name: 'dnsgate.bench', updateKeys: ['bench'] },
        { name: 'plugin.bench', updateKeys: ['bench'] },
      ],
      keys: [{ name: 'bench', algorithm: 'hmac-sha256' }],
    });
    const key = bind.keys.bench!;

    // Baseline: nsupdate, same records, same batch size, TCP, TSIG.
    const script: string[] = [`server 127.0.0.1 ${bind.port}`, 'zone nsupdate.bench'];
    for (let i = 0; i < COUNT; i++) {
      script.push(`update add h${i}.nsupdate.bench 300 A ${ip(i)}`);
      if ((i + 1) % BATCH === 0 || i === COUNT - 1) script.push('send');
    }
    const [nsupdate, nsupdateMs] = await timed(() =>
      runCommand('nsupdate', ['-v', '-y', key.digArg], { input: script.join('\n') + '\n', timeoutMs: 600_000 }),
    );
    if (nsupdate.code !== 0) throw new Error(`nsupdate failed: ${nsupdate.stderr}`);

    dnsgate = await spawnDnsgate({
      env: {
        DNSGATE_PLUGIN: 'rfc2136',
        DNSGATE_LOG_LEVEL: 'warn',
        DNSGATE_RFC2136_HOSTS: bind.address,
        DNSGATE_RFC2136_ZONES: 'dnsgate.bench',
        DNSGATE_RFC2136_TSIG_KEYNAME: key.name,
        DNSGATE_RFC2136_TSIG_SECRET: key.secret,
        DNSGATE_RFC2136_TSIG_ALG: key.algorithm,
        DNSGATE_RFC2136_BATCH_SIZE: String(BATCH),
      },
    });
    const create = Array.from({ length: COUNT }, (_, i) => ({
      dnsName: `h${i}.dnsgate.bench`,
      targets: [ip(i)],
      recordType: 'A',
      recordTTL: 300,
    }));
    const [applied, dnsgateMs] = await timed(() =>
      fetch(`${dnsgate!.webhookUrl}/records`, {
        method: 'POST',
        headers: { 'content-type': MEDIA, accept: MEDIA },
        body: JSON.stringify({ create }),
      }),
    );
    if (applied.status !== 204) throw new Error(`ApplyChanges answered ${applied.status}: ${await applied.text()}`);

    // The same creates through the plugin alone (in this process), to tell the plugin's share from the HTTP layer's.
    const { plugin } = createPlugin(
      rfc2136Env([bind], ['plugin.bench'], key, { DNSGATE_RFC2136_BATCH_SIZE: String(BATCH) }),
    );
    const direct = create.map((e) => ({ ...e, dnsName: e.dnsName.replace('dnsgate.bench', 'plugin.bench') }));
    const [, pluginMs] = await timed(() => plugin.applyChanges(changes({ create: direct })));
    const [pluginRead, pluginReadMs] = await timed(() => plugin.records({ zones: ['plugin.bench'] }));
    if (pluginRead.length !== COUNT) throw new Error(`the plugin read ${pluginRead.length} records`);

    // Reads: dig AXFR (baseline) and GET /records, alternating, 5 each.
    const digMs: number[] = [];
    const recordsMs: number[] = [];
    let lines = 0;
    let endpoints = 0;
    for (let round = 0; round < 5; round++) {
      const [dig, dm] = await timed(() =>
        runCommand('dig', ['-y', key.digArg, '@127.0.0.1', '-p', String(bind!.port), 'dnsgate.bench', 'AXFR']),
      );
      lines = dig.stdout.split('\n').filter((l) => /\sIN\s+A\s/.test(l)).length;
      digMs.push(dm);
      const [body, rm] = await timed(async () =>
        (await fetch(`${dnsgate!.webhookUrl}/records`, { headers: { accept: MEDIA } })).json(),
      );
      endpoints = (body as unknown[]).length;
      recordsMs.push(rm);
    }
    if (lines !== COUNT || endpoints !== COUNT)
      throw new Error(`expected ${COUNT} records, dig saw ${lines}, dnsgate ${endpoints}`);
    const rss = peakRssMb(dnsgate.child.pid!);

    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    out('');
    out(
      `rfc2136 benchmark, ${COUNT} A records, batches of ${BATCH}, BIND ${bind.log().match(/BIND (\S+)/)?.[1] ?? '9'}`,
    );
    out(
      `  creates: dnsgate ${dnsgateMs.toFixed(0)} ms, nsupdate ${nsupdateMs.toFixed(0)} ms -> ${ratio(dnsgateMs, nsupdateMs)}x (goal <= 1.0x)`,
    );
    out(
      `  records: dnsgate GET /records ${median(recordsMs).toFixed(0)} ms, dig AXFR ${median(digMs).toFixed(0)} ms (medians of 5) -> ${ratio(median(recordsMs), median(digMs))}x (goal <= 1.2x)`,
    );
    out(
      `  plugin alone (no HTTP): creates ${pluginMs.toFixed(0)} ms -> ${ratio(pluginMs, nsupdateMs)}x, records ${pluginReadMs.toFixed(0)} ms`,
    );
    out(`  peak RSS of the dnsgate process: ${rss.toFixed(0)} MiB`);
    out('');
    expect(endpoints).toBe(COUNT);
  } finally {
    await dnsgate?.stop();
    await bind?.dispose();
  }
});
