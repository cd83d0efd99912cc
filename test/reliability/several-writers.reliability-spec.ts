import { afterAll, describe, expect, it } from '@jest/globals';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '@dnsgate/plugin-sdk';
import { startBind, type BindServer } from '../support/bind-server.js';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startPowerDns, type PowerDnsTestServer } from '../support/powerdns-server.js';
import { planLikeExternalDns, rfc2136Env } from '../rfc2136/rfc2136-test-kit.js';
import { HttpClient } from './support/http-client.js';
import { PartResults } from './support/results.js';

/**
 * Several writers: three dnsgate processes, as the sidecars of ExternalDNS
 * instances in three clusters (owner ids c0, c1, c2), reconcile into the same
 * zone of one backend at once for a bounded number of rounds. Each owns its
 * names through TXT registry records and plans only those, as ExternalDNS's
 * TXT registry does. At the end every writer's last desired state is there,
 * whole, and nothing of another writer is lost or clobbered.
 */
const ZONE = 'shared.example';
const WRITERS = 3;
const ROUNDS = Number(process.env.DNSGATE_WRITERS_ROUNDS ?? 25);
const NAMES = 8;

/** Writer `w`'s desired endpoints in round `r`: a sliding window of names, targets that change each round, and registry TXTs. */
function desiredOf(w: number, r: number): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < NAMES; i++) {
    const n = (r + i) % (NAMES + 4);
    const name = `w${w}-${n}.${ZONE}`;
    endpoints.push({ dnsName: name, targets: [`10.${w}.${r % 250}.${n}`], recordType: 'A', recordTTL: 300 });
    endpoints.push({
      dnsName: `a-w${w}-${n}.${ZONE}`,
      targets: [`"heritage=external-dns,external-dns/owner=c${w},external-dns/resource=service/default/w${w}-${n}"`],
      recordType: 'TXT',
      recordTTL: 300,
    });
  }
  return endpoints;
}

const owns = (w: number, e: Endpoint) => e.dnsName.startsWith(`w${w}-`) || e.dnsName.startsWith(`a-w${w}-`);

async function reconcile(client: HttpClient, w: number, r: number, failures: string[]): Promise<void> {
  const headers = { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE };
  const adjusted = await client.call({
    method: 'POST',
    path: '/adjustendpoints',
    headers,
    body: JSON.stringify(desiredOf(w, r)),
  });
  const records = await client.call({ method: 'GET', path: '/records', headers });
  if (adjusted.status !== 200 || records.status !== 200) {
    failures.push(
      `writer ${w} round ${r}: adjust ${adjusted.status || adjusted.error}, records ${records.status || records.error}`,
    );
    return;
  }
  const current = (JSON.parse(records.body.toString()) as Endpoint[]).filter((e) => owns(w, e));
  const plan = planLikeExternalDns(JSON.parse(adjusted.body.toString()) as Endpoint[], current);
  if (plan.create.length + plan.updateNew.length + plan.delete.length === 0) return;
  const applied = await client.call({ method: 'POST', path: '/records', headers, body: JSON.stringify(plan) });
  // A 5xx is ExternalDNS's soft error: it plans again next round. Anything else is a failure.
  if (applied.status !== 204 && !(applied.status >= 500 && applied.status <= 510)) {
    failures.push(
      `writer ${w} round ${r}: apply ${applied.status || applied.error} ${applied.body.toString().slice(0, 200)}`,
    );
  }
}

interface Target {
  name: string;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

describe('several writers into one zone', () => {
  const results = new PartResults('several writers');
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    results.flush();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const targets: Array<[string, () => Promise<Target>]> = [
    [
      'PowerDNS on PostgreSQL',
      async () => {
        const postgres: PostgresServer = await startPostgres();
        cleanups.push(() => postgres.dispose());
        const dbname = await postgres.createPowerDnsDatabase('pdns');
        const pdns: PowerDnsTestServer = await startPowerDns({
          postgres: { host: postgres.host, port: postgres.port, dbname, user: postgres.user },
        });
        cleanups.push(() => pdns.stop());
        await pdns.createZone(ZONE);
        return {
          name: 'PowerDNS on PostgreSQL',
          env: { DNSGATE_PLUGIN: 'powerdns', DNSGATE_POWERDNS_URL: pdns.url, DNSGATE_POWERDNS_API_KEY: pdns.apiKey },
          dispose: async () => undefined,
        };
      },
    ],
    [
      'PowerDNS on SQLite',
      async () => {
        const pdns = await startPowerDns();
        cleanups.push(() => pdns.stop());
        await pdns.createZone(ZONE);
        return {
          name: 'PowerDNS on SQLite',
          env: { DNSGATE_PLUGIN: 'powerdns', DNSGATE_POWERDNS_URL: pdns.url, DNSGATE_POWERDNS_API_KEY: pdns.apiKey },
          dispose: async () => undefined,
        };
      },
    ],
    [
      'BIND',
      async () => {
        const bind: BindServer = await startBind({
          zones: [{ name: ZONE, updateKeys: ['dnsgate'] }],
          keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
        });
        cleanups.push(() => bind.dispose());
        return {
          name: 'BIND',
          env: { DNSGATE_PLUGIN: 'rfc2136', ...rfc2136Env([bind], [ZONE], bind.keys.dnsgate) },
          dispose: async () => undefined,
        };
      },
    ],
  ];

  it.each(targets)('%s: nothing of any writer is lost or clobbered', async (_name, start) => {
    const target = await start();
    const gateways: DnsgateProcess[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const gateway = await spawnDnsgate({ env: { ...target.env, DNSGATE_LOG_LEVEL: 'error' } });
      gateways.push(gateway);
      cleanups.push(async () => void (await gateway.stop()));
    }
    const clients = gateways.map((g) => new HttpClient(g.webhookUrl));
    const failures: string[] = [];
    const started = Date.now();
    await Promise.all(
      clients.map(async (client, w) => {
        for (let r = 0; r < ROUNDS; r++) await reconcile(client, w, r, failures);
        // Rounds again with the last desired state until nothing is left to do (5xx rounds are retried).
        for (let extra = 0; extra < 3; extra++) await reconcile(client, w, ROUNDS - 1, failures);
      }),
    );
    const answer = await clients[0]!.call({ method: 'GET', path: '/records', headers: { accept: WEBHOOK_MEDIA_TYPE } });
    const all = JSON.parse(answer.body.toString()) as Endpoint[];
    const wrong: string[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const want = planLikeExternalDns(
        desiredOf(w, ROUNDS - 1),
        all.filter((e) => owns(w, e)),
      );
      for (const e of [...want.create, ...want.updateNew])
        wrong.push(`writer ${w}: ${e.recordType} ${e.dnsName} missing or clobbered`);
      for (const e of want.delete) wrong.push(`writer ${w}: ${e.recordType} ${e.dnsName} left behind`);
    }
    for (const client of clients) client.close();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    results.add(
      `${target.name}: ${WRITERS} writers × ${ROUNDS} rounds (${seconds} s)`,
      `${wrong.length} lost/clobbered, ${failures.length} failed calls`,
      wrong.length === 0 && failures.length === 0,
    );
    if (wrong.length + failures.length > 0)
      process.stdout.write(
        `several writers, ${target.name}:\n  ${[...failures, ...wrong].slice(0, 15).join('\n  ')}\n`,
      );
    expect(failures).toEqual([]);
    expect(wrong).toEqual([]);
    for (const gateway of gateways) await gateway.stop();
  });
});
