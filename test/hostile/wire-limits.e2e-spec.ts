import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { planDifferences } from '../support/external-dns-plan.js';
import { startBackend, type TestBackend } from './hostile-backends.js';
import { postRaw, repeatedJsonArray } from './hostile-http.js';
import type { Endpoint } from '@dnsgate/plugin-sdk';

/** Issue 12, defects 1–3, on a running dnsgate process (file plugin). */
describe('hostile bodies on the running server: huge lists, unbounded errors, int64 TTLs', () => {
  jest.setTimeout(120_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend('file', ['example.org']);
    dnsgate = await spawnDnsgate({ env: backend.env });
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  it('answers a create list of 130,000 numbers with a small 400, not a stack overflow', async () => {
    const answer = await postRaw(dnsgate.webhookUrl, '/records', `{"create":${repeatedJsonArray('1', 130_000)}}`);
    expect(answer.status).toBe(400);
    expect(answer.bytes).toBeLessThan(64 * 1024);
    expect(answer.text).toContain('create[0] must be an endpoint object');
    expect(answer.text).toMatch(/and 129990 more invalid endpoints/);
  });

  it('answers a delete list of 100,000 empty objects with a small 400', async () => {
    const answer = await postRaw(dnsgate.webhookUrl, '/records', `{"delete":${repeatedJsonArray('{}', 100_000)}}`);
    expect(answer.status).toBe(400);
    expect(answer.bytes).toBeLessThan(64 * 1024);
    expect(answer.text).toContain('delete[0].dnsName');
    expect(JSON.parse(answer.text).moreInvalidEndpoints).toBe(99_990);
  });

  it.each([1_000_000, 3_000_000])(
    'answers /adjustendpoints with %i zeros (MiBs of bad items) with a 400 naming the first few and counting the rest',
    async (count) => {
      const answer = await postRaw(dnsgate.webhookUrl, '/adjustendpoints', repeatedJsonArray('0', count));
      expect(answer.status).toBe(400);
      expect(answer.bytes).toBeLessThan(64 * 1024);
      const body = JSON.parse(answer.text) as { problems: string[]; moreInvalidEndpoints: number };
      expect(body.problems).toHaveLength(10);
      expect(body.moreInvalidEndpoints).toBe(count - 10);
    },
  );

  it('still takes a good request after those', async () => {
    const answer = await postRaw(dnsgate.webhookUrl, '/adjustendpoints', '[]');
    expect(answer.status).toBe(200);
  });

  describe('TTLs a Go int64 can carry', () => {
    it.each(['9007199254740993', '9223372036854775807', '4294967296', '2147483648'])(
      'accepts recordTTL %s, normalises it to the DNS maximum, and the next plan shows no change',
      async (ttl) => {
        const name = `ttl-${ttl.length}-${ttl.slice(-3)}.example.org`;
        const wire = `{"dnsName":"${name}","targets":["192.0.2.1"],"recordType":"A","recordTTL":${ttl}}`;
        const adjusted = await postRaw(dnsgate.webhookUrl, '/adjustendpoints', `[${wire}]\n`);
        expect(adjusted.status).toBe(200);
        const desired = JSON.parse(adjusted.text) as Endpoint[];
        expect(desired).toEqual([expect.objectContaining({ dnsName: name, recordTTL: 2_147_483_647 })]);

        const applied = await postRaw(dnsgate.webhookUrl, '/records', `{"create":[${wire}]}\n`);
        expect(applied.status).toBe(204);
        const current = (await (await fetch(`${dnsgate.webhookUrl}/records`)).json()) as Endpoint[];
        expect(current.find((e) => e.dnsName === name)?.recordTTL).toBe(2_147_483_647);
        expect(planDifferences(desired, current)).toEqual([]);
      },
    );

    it.each(['-1', '-9223372036854775808', '0'])('accepts recordTTL %s as "not set"', async (ttl) => {
      const wire = `{"dnsName":"neg.example.org","targets":["192.0.2.1"],"recordType":"A","recordTTL":${ttl}}`;
      const adjusted = await postRaw(dnsgate.webhookUrl, '/adjustendpoints', `[${wire}]`);
      expect(adjusted.status).toBe(200);
      expect((JSON.parse(adjusted.text) as Endpoint[])[0]!.recordTTL).not.toBeLessThan(0);
    });

    it('still refuses a TTL no Go client sends (a string, a fraction)', async () => {
      for (const ttl of ['"60"', '60.5']) {
        const wire = `[{"dnsName":"x.example.org","targets":["192.0.2.1"],"recordType":"A","recordTTL":${ttl}}]`;
        expect((await postRaw(dnsgate.webhookUrl, '/adjustendpoints', wire)).status).toBe(400);
      }
    });
  });
});
