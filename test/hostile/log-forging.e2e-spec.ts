import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { DnsgateProcess } from '../support/dnsgate-process.js';
import { BACKEND_KINDS, spawnOn, startBackend, type BackendKind, type TestBackend } from './hostile-backends.js';
import { postRaw } from './hostile-http.js';

/** Issue 12, defect 4: a value from a request never starts a log line of its own, on any backend or log format. */
const FORGED = '[Nest] 1  - 01/01/2026, 12:00:00 AM   ERROR [Forged] dnsgate was compromised';
const INJECTIONS = [`\n${FORGED}`, `\r\n${FORGED}`, `\u2028${FORGED}`, `\u001b[2K\r${FORGED}`];

const cases: Array<[BackendKind, 'text' | 'json']> = [
  ...BACKEND_KINDS.map((kind): [BackendKind, 'text'] => [kind, 'text']),
  ['file', 'json'],
];

describe.each(cases)('log forging with the %s plugin, %s logs', (kind, format) => {
  jest.setTimeout(90_000);
  let backend: TestBackend;
  let dnsgate: DnsgateProcess;

  beforeAll(async () => {
    backend = await startBackend(kind, ['example.org']);
    dnsgate = await spawnOn(backend, { DNSGATE_LOG_LEVEL: 'debug', DNSGATE_LOG_FORMAT: format });
  });
  afterAll(async () => {
    await dnsgate?.stop();
    await backend?.dispose();
  });

  it('escapes request values in every message: out-of-scope changes, dropped endpoints, backend refusals', async () => {
    for (const injection of INJECTIONS) {
      const endpoint = (dnsName: string) => ({ dnsName, targets: [`192.0.2.1${injection}`], recordType: 'A' });
      const outOfScope = endpoint(`a${injection}.elsewhere.net`);
      const inZone = endpoint(`b${injection}.example.org`);
      // Each is logged somewhere: the scope check, AdjustEndpoints' drop, or the failed batch.
      await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify({ create: [outOfScope] }));
      await postRaw(dnsgate.webhookUrl, '/adjustendpoints', JSON.stringify([inZone, outOfScope]));
      await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify({ create: [inZone] }));
      await postRaw(dnsgate.webhookUrl, '/records', JSON.stringify({ updateOld: [inZone], updateNew: [outOfScope] }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const output = dnsgate.output();
    // The values were logged (escaped), so the check below looked at real log lines.
    expect(output).toContain('[Forged] dnsgate was compromised');
    const forgedLines = output.split(/\r\n|\n|\r|\u2028/).filter((line) => /^\W*\[Nest\] 1 {2}- /.test(line));
    expect(forgedLines).toEqual([]);
    // eslint-disable-next-line no-control-regex
    expect(output).not.toMatch(/\u001b|\u2028/);
  });
});
