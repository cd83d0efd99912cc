import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyChanges, loadPluginOptions, type Endpoint } from '@dnsgate/plugin-sdk';
import { createTestPluginContext, drivePlugin } from '@dnsgate/plugin-sdk/testkit';
import { FilePluginFactory, FilePluginOptions } from '@dnsgate/plugin-file';
import { assertNamedCheckzone } from '../support/named-checkzone.js';

const ZONE = 'big.test';
// Above the 130k records at which reading a zone used to overflow the stack.
const RECORDS = 150_000;

function bigZone(): string {
  const lines = [`$ORIGIN ${ZONE}.`, '$TTL 300', '@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300', '@ IN NS ns1'];
  lines.push('ns1 A 10.255.255.254');
  for (let i = 0; i < RECORDS; i++) lines.push(`host${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return `${lines.join('\n')}\n`;
}

describe('file plugin with a zone past 130k records', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-file-scale-'));
    await writeFile(join(dir, `${ZONE}.zone`), bigZone());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads every record, applies 1,000 creates and a delete, and the file still loads in BIND', async () => {
    const { options } = loadPluginOptions(FilePluginOptions, 'DNSGATE_FILE_', { DNSGATE_FILE_DIR: dir });
    const raw = new FilePluginFactory().create(options, createTestPluginContext('file'));
    await raw.start?.();
    const plugin = drivePlugin(raw);

    const before = await plugin.records({ zones: [ZONE] });
    expect(before).toHaveLength(RECORDS + 1);

    const create: Endpoint[] = Array.from({ length: 1000 }, (_, i) => ({
      dnsName: `new${i}.${ZONE}`,
      recordType: 'A',
      targets: [`10.200.${(i >> 8) & 255}.${i & 255}`],
      recordTTL: 60,
    }));
    await plugin.applyChanges({
      ...emptyChanges(),
      create,
      delete: [{ dnsName: `host7.${ZONE}`, recordType: 'A', targets: ['10.0.0.7'] }],
    });

    const after = await plugin.records({ zones: [ZONE] });
    expect(after).toHaveLength(RECORDS + 1 + 1000 - 1);
    expect(after.find((e) => e.dnsName === `new999.${ZONE}`)).toEqual({
      dnsName: `new999.${ZONE}`,
      recordType: 'A',
      targets: ['10.200.3.231'],
      recordTTL: 60,
    });
    expect(after.find((e) => e.dnsName === `host7.${ZONE}`)).toBeUndefined();
    const written = await readFile(join(dir, `${ZONE}.zone`), 'utf8');
    const serial = /IN\tSOA\tns1\.big\.test\. hostmaster\.big\.test\. (\d+) /.exec(written)?.[1];
    expect(Number(serial)).toBeGreaterThan(1);
    await assertNamedCheckzone(ZONE, join(dir, `${ZONE}.zone`));
  });
});
