import { fork } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchIncompleteError,
  BatchPipeline,
  emptyChanges,
  loadPluginOptions,
  type Changes,
  type DnsPlugin,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import {
  createTestPluginContext,
  drivePlugin,
  type PluginDriver,
  type TestPluginContext,
} from '@dnsgate/plugin-sdk/testkit';
import {
  FilePlugin,
  FilePluginFactory,
  FilePluginOptions,
  parseZoneFile,
  type FilePluginInternals,
} from '@dnsgate/plugin-file';
import { assertNamedCheckzone, assertNamedCheckzoneDir, bindDump } from '../support/named-checkzone.js';
import { startBind } from '../support/bind-server.js';
import { digShort, runCommand } from '../support/run-command.js';

const ZONE = 'example.com';
const OTHER = 'example.org';

interface Harness {
  dir: string;
  plugin: DnsPlugin;
  /** The plugin driven as the gateway drives it: batches through the SDK's pipeline. */
  driver: PluginDriver;
  context: TestPluginContext;
}

let dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dnsgate-file-'));
  dirs.push(dir);
  return dir;
}

/** A plugin built the way the gateway builds it: options from env, then the factory. */
async function startPlugin(
  env: Record<string, string>,
  dir?: string,
  internals?: FilePluginInternals,
): Promise<Harness> {
  const zonesDir = dir ?? (await tempDir());
  const { options } = loadPluginOptions(FilePluginOptions, 'DNSGATE_FILE_', { DNSGATE_FILE_DIR: zonesDir, ...env });
  const context = createTestPluginContext('file');
  const plugin = internals
    ? new FilePlugin(options, context, internals)
    : new FilePluginFactory().create(options, context);
  await plugin.start?.();
  return { dir: zonesDir, plugin, driver: drivePlugin(plugin), context };
}

const changes = (partial: Partial<Changes>): Changes => ({ ...emptyChanges(), ...partial });
const ep = (dnsName: string, recordType: string, targets: string[], recordTTL?: number): Endpoint =>
  recordTTL === undefined ? { dnsName, recordType, targets } : { dnsName, recordType, targets, recordTTL };

async function records(h: Harness, zones = [ZONE, OTHER]): Promise<Endpoint[]> {
  return h.driver.records({ zones });
}

afterEach(async () => {
  const written = dirs;
  dirs = [];
  try {
    // Every zone file any test wrote must load in BIND.
    for (const dir of written) await assertNamedCheckzoneDir(dir);
  } finally {
    for (const dir of written) await rm(dir, { recursive: true, force: true });
  }
});

describe('file plugin, through its factory on a temp directory', () => {
  it('starts with no configuration at all and says how to add a zone', async () => {
    const h = await startPlugin({});
    expect(await h.plugin.zones()).toEqual([]);
    expect(await h.plugin.readiness()).toEqual({ ready: true });
    expect(h.context.lines.map((l) => l.message).join('\n')).toMatch(/DNSGATE_FILE_ZONES=example\.com/);
  });

  it('creates configured zones with SOA and NS, and discovers *.zone and db.* files', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, `db.${OTHER}`),
      `$TTL 60\n@ SOA localhost. h.${OTHER}. 5 1 1 1 1\n NS localhost.\nwww A 192.0.2.9\n`,
    );
    await writeFile(join(dir, 'notes.txt'), 'not a zone');
    const h = await startPlugin({ DNSGATE_FILE_ZONES: `${ZONE}, sub.${ZONE}` }, dir);
    expect(await h.plugin.zones()).toEqual([ZONE, OTHER, `sub.${ZONE}`]);
    expect((await readdir(dir)).sort()).toEqual([`db.${OTHER}`, `${ZONE}.zone`, 'notes.txt', `sub.${ZONE}.zone`]);
    const created = await readFile(join(dir, `${ZONE}.zone`), 'utf8');
    expect(created).toMatch(/^@\t3600\tIN\tSOA\tlocalhost\. hostmaster\.example\.com\. \d{10} /m);
    expect(created).toMatch(/^@\t3600\tIN\tNS\tlocalhost\.$/m);
    // SOA and the apex NS are the plugin's own and never reported.
    expect(await records(h, [ZONE])).toEqual([]);
    expect(await records(h, [OTHER])).toEqual([ep(`www.${OTHER}`, 'A', ['192.0.2.9'], 60)]);
    await assertNamedCheckzone(ZONE, join(dir, `${ZONE}.zone`));
  });

  it('round-trips every record type with several targets, adjust matching records exactly', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const desired: Endpoint[] = [
      ep(`WWW.${ZONE}.`, 'A', ['192.0.2.2', '192.0.2.1', '192.0.2.1']),
      ep(`v6.${ZONE}`, 'AAAA', ['2001:0DB8:0000::0001', '2001:db8::2'], 60),
      ep(`alias.${ZONE}`, 'CNAME', [`www.${ZONE}.`]),
      ep(`txt.${ZONE}`, 'TXT', [
        '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/ns/x"',
        'v=spf1 -all',
      ]),
      ep(`_sip._tcp.${ZONE}`, 'SRV', ['10 5 5060 sip.example.net.', '20 0 5061 sip2.example.net']),
      ep(ZONE, 'MX', ['10 mail.example.net.', '20 mail2.example.net']),
      ep(`delegated.${ZONE}`, 'NS', ['ns1.example.net.', 'ns2.example.net']),
      ep(`4.2.${ZONE}`, 'PTR', ['host.example.net.']),
      ep(`naptr.${ZONE}`, 'NAPTR', ['100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp.example.com.']),
      ep(ZONE, 'CAA', ['0 issue "letsencrypt.org"', '128 iodef "mailto:ops@example.com"']),
      ep(`*.wild.${ZONE}`, 'A', ['192.0.2.3']),
    ];
    const adjusted = await h.driver.adjustEndpoints(desired);
    expect(adjusted).toHaveLength(desired.length);
    await h.driver.applyChanges(changes({ create: adjusted }));
    const read = await records(h, [ZONE]);
    const byKey = (list: Endpoint[]) =>
      [...list].sort((a, b) => `${a.dnsName}|${a.recordType}`.localeCompare(`${b.dnsName}|${b.recordType}`));
    expect(byKey(read)).toEqual(byKey(adjusted));
    // The same desired state adjusted again is what records() reports: no endless updates.
    expect(byKey(await h.driver.adjustEndpoints(read))).toEqual(byKey(read));
    expect(byKey(await h.driver.adjustEndpoints(desired))).toEqual(byKey(read));
    expect(read.find((e) => e.recordType === 'A' && e.dnsName === `www.${ZONE}`)).toEqual(
      ep(`www.${ZONE}`, 'A', ['192.0.2.1', '192.0.2.2'], 300),
    );
    expect(read.find((e) => e.recordType === 'AAAA')?.targets).toEqual(['2001:db8::1', '2001:db8::2']);
    expect(read.find((e) => e.recordType === 'TXT')?.targets).toEqual([
      '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/ns/x"',
      '"v=spf1 -all"',
    ]);
    expect(read.find((e) => e.recordType === 'SRV')?.targets).toEqual([
      '10 5 5060 sip.example.net',
      '20 0 5061 sip2.example.net',
    ]);
    await assertNamedCheckzone(ZONE, join(h.dir, `${ZONE}.zone`));
  });

  it('keeps literal quotes of the TXT registry and long TXT values split in 255-byte strings', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const long = 'k=' + 'abcdefghij'.repeat(70);
    const tricky = 'say "hi"; $INCLUDE /etc/passwd ( \\ ) é\nnext';
    const [registry, big, odd] = await h.driver.adjustEndpoints([
      ep(`a-owner.${ZONE}`, 'TXT', ['"heritage=external-dns,external-dns/owner=default"']),
      ep(`long.${ZONE}`, 'TXT', [long]),
      ep(`odd.${ZONE}`, 'TXT', [tricky]),
    ]);
    expect(registry!.targets).toEqual(['"heritage=external-dns,external-dns/owner=default"']);
    await h.driver.applyChanges(changes({ create: [registry!, big!, odd!] }));
    const text = await readFile(join(h.dir, `${ZONE}.zone`), 'utf8');
    expect(text).toContain('a-owner\t300\tIN\tTXT\t"heritage=external-dns,external-dns/owner=default"\n');
    expect(text).not.toMatch(/^\$INCLUDE/m);
    const read = await records(h, [ZONE]);
    expect(read.find((e) => e.dnsName === `long.${ZONE}`)?.targets).toEqual([`"${long}"`]);
    expect(read.find((e) => e.dnsName === `odd.${ZONE}`)?.targets).toEqual(odd!.targets);
    const dump = await bindDump(ZONE, join(h.dir, `${ZONE}.zone`));
    const longLine = dump.split('\n').find((l) => l.startsWith(`long.${ZONE}.`))!;
    expect(longLine.match(/"[^"]*"/g)!.map((s) => s.length - 2)).toEqual([255, 255, 192]);
    const oddLine = dump.split('\n').find((l) => l.startsWith(`odd.${ZONE}.`))!;
    expect(oddLine).toContain('"say \\"hi\\"; $INCLUDE /etc/passwd ( \\\\ ) \\195\\169\\010next"');
  });

  it('updates and deletes, raising the SOA serial on every write', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const serial = async () =>
      Number(/SOA\t\S+ \S+ (\d+)/.exec(await readFile(join(h.dir, `${ZONE}.zone`), 'utf8'))![1]);
    const s0 = await serial();
    const a = ep(`www.${ZONE}`, 'A', ['192.0.2.1'], 300);
    await h.driver.applyChanges(changes({ create: [a, ep(`gone.${ZONE}`, 'A', ['192.0.2.5'], 300)] }));
    const s1 = await serial();
    await h.driver.applyChanges(
      changes({
        updateOld: [a],
        updateNew: [ep(`www.${ZONE}`, 'A', ['192.0.2.7', '192.0.2.8'], 120)],
        delete: [ep(`gone.${ZONE}`, 'A', ['192.0.2.5'])],
      }),
    );
    const s2 = await serial();
    expect(s1).toBeGreaterThan(s0);
    expect(s2).toBeGreaterThan(s1);
    expect(await records(h, [ZONE])).toEqual([ep(`www.${ZONE}`, 'A', ['192.0.2.7', '192.0.2.8'], 120)]);
  });

  it('refuses each change that cannot apply, by name, writes the rest, and leaves untouched zones byte-identical', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: `${ZONE},${OTHER}` });
    await h.driver.applyChanges(changes({ create: [ep(`www.${ZONE}`, 'A', ['192.0.2.1'], 300)] }));
    const before = await readFile(join(h.dir, `${ZONE}.zone`));
    const attempts: Array<[Partial<Changes>, RegExp]> = [
      [
        { create: [ep(`new1.${OTHER}`, 'A', ['192.0.2.2']), ep(`www.${ZONE}`, 'A', ['192.0.2.3'])] },
        /1 of 2 changes did not land \(1 applied\): create A www\.example\.com: conflict: cannot create A www\.example\.com: it already exists/,
      ],
      [
        { delete: [ep(`missing.${ZONE}`, 'A', ['192.0.2.3'])], create: [ep(`new2.${OTHER}`, 'A', ['192.0.2.2'])] },
        /delete A missing\.example\.com: conflict: cannot delete A missing\.example\.com: it does not exist/,
      ],
      [
        { updateOld: [ep(`missing.${ZONE}`, 'A', [])], updateNew: [ep(`missing.${ZONE}`, 'A', ['192.0.2.4'])] },
        /update A missing\.example\.com: conflict: cannot update A missing\.example\.com/,
      ],
      [
        { create: [ep(`twice.${ZONE}`, 'A', ['192.0.2.1']), ep(`twice.${ZONE}`, 'A', ['192.0.2.2'])] },
        /create A twice\.example\.com: duplicate: A twice\.example\.com appears 2 times in one batch/,
      ],
      [
        { create: [ep(`www.${ZONE}`, 'CNAME', ['other.example.net'])] },
        /create CNAME www\.example\.com: refused: CNAME www\.example\.com would sit beside other records/,
      ],
      [
        { create: [ep(`new3.${OTHER}`, 'A', ['192.0.2.2']), ep(`x.example.net`, 'A', ['192.0.2.2'])] },
        /create A x\.example\.net: no_zone: no managed zone holds "x\.example\.net"/,
      ],
    ];
    for (const [partial, message] of attempts) {
      const error = await h.driver.applyChanges(changes(partial)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchIncompleteError);
      expect((error as BatchIncompleteError).statusCode).toBe(500);
      expect((error as Error).message).toMatch(message);
    }
    expect(await readFile(join(h.dir, `${ZONE}.zone`))).toEqual(before);
    expect((await records(h, [OTHER])).map((e) => e.dnsName)).toEqual([
      `new1.${OTHER}`,
      `new2.${OTHER}`,
      `new3.${OTHER}`,
    ]);
  });

  it('refuses or escapes every injection attempt, never writing it raw', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const before = await readFile(join(h.dir, `${ZONE}.zone`));
    const hostile: Endpoint[] = [
      ep(`evil\n$INCLUDE /etc/passwd.${ZONE}`, 'A', ['192.0.2.1']),
      ep(`a b.${ZONE}`, 'A', ['192.0.2.1']),
      ep(`semi;colon.${ZONE}`, 'A', ['192.0.2.1']),
      ep(`paren(.${ZONE}`, 'A', ['192.0.2.1']),
      ep(`quote".${ZONE}`, 'A', ['192.0.2.1']),
      ep(`$ORIGIN.${ZONE}`, 'A', ['192.0.2.1']),
      ep(`ok.${ZONE}`, 'A', ['192.0.2.1\n@ IN NS evil.']),
      ep(`ok.${ZONE}`, 'CNAME', ['evil.example.net. ; comment']),
      ep(`ok.${ZONE}`, 'MX', ['10 mail.example.net (']),
      ep(`ok.${ZONE}`, 'SRV', ['0 0 1 "x"']),
      ep(`ok.${ZONE}`, 'NAPTR', ['1 1 "S" "x" "y\n$INCLUDE z" .']),
      ep(`ok.${ZONE}`, 'CAA', ['0 issue $INCLUDE']),
      ep(`ok.${ZONE}`, 'NS', ['ns1.example.net\tIN A 1.2.3.4']),
    ];
    const adjusted = new BatchPipeline(h.plugin).adjust(hostile, [ZONE]);
    expect(adjusted.endpoints).toEqual([]);
    expect(adjusted.dropped).toHaveLength(hostile.length);
    expect(adjusted.dropped.filter((d) => d.reason === 'name')).toHaveLength(6);
    for (const endpoint of hostile) {
      const error = await h.driver.applyChanges(changes({ create: [endpoint] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchIncompleteError);
      expect((error as BatchIncompleteError).report.notApplied.map((n) => n.reason)).toEqual(['invalid']);
    }
    await expect(h.driver.applyChanges(changes({ create: [hostile[0]!] }))).rejects.toThrow(/invalid name/);
    expect(await readFile(join(h.dir, `${ZONE}.zone`))).toEqual(before);
  });

  it('drops what a zone file cannot hold or no managed zone holds', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const adjusted = new BatchPipeline(h.plugin).adjust(
      [
        { ...ep(`a.${ZONE}`, 'A', ['192.0.2.1']), setIdentifier: 'eu' },
        ep(`a.${ZONE}`, 'SOA', ['x']),
        ep(ZONE, 'NS', ['ns.example.net']),
        ep(ZONE, 'CNAME', ['x.example.net']),
        ep(`a.${ZONE}`, 'CNAME', ['x.example.net', 'y.example.net']),
        ep('a.myexample.com', 'A', ['192.0.2.1']),
        ep(`a.${ZONE}`, 'A', ['300.1.1.1']),
        ep(`a.${ZONE}`, 'A', []),
        {
          ...ep(`kept.${ZONE}`, 'A', ['192.0.2.1'], 0),
          providerSpecific: [{ name: 'webhook/x', value: 'y' }],
          labels: { owner: 'o' },
        },
      ],
      [ZONE],
    );
    expect(adjusted.endpoints).toEqual([
      { dnsName: `kept.${ZONE}`, targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300, labels: { owner: 'o' } },
    ]);
    const reasons = new Set(adjusted.dropped.map((d) => d.reason));
    for (const reason of ['set_identifier', 'type', 'apex', 'target', 'no_zone', 'no_targets']) {
      expect(reasons).toContain(reason);
    }
  });

  it('serialises two concurrent batches in one process and across two instances (two "processes")', async () => {
    const h1 = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const h2 = await startPlugin({ DNSGATE_FILE_ZONES: ZONE }, h1.dir);
    const serial = async () =>
      Number(/SOA\t\S+ \S+ (\d+)/.exec(await readFile(join(h1.dir, `${ZONE}.zone`), 'utf8'))![1]);
    const initial = await serial();
    const batches = Array.from({ length: 20 }, (_, i) =>
      changes({
        create: [
          ep(`host${i}.${ZONE}`, 'A', [`192.0.2.${i + 1}`], 300),
          ep(`host${i}.${ZONE}`, 'TXT', [`"n=${i}"`], 300),
        ],
      }),
    );
    await Promise.all(batches.map((b, i) => (i % 2 === 0 ? h1 : h2).driver.applyChanges(b)));
    const read = await records(h1, [ZONE]);
    expect(read).toHaveLength(40);
    // One new serial per batch: no write was lost or merged into another.
    expect((await serial()) - initial).toBeGreaterThanOrEqual(20);
    expect((await readdir(h1.dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('serialises writers in two real processes', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const script = join(h.dir, '..', `writer-${process.pid}.mjs`);
    const { pathToFileURL } = await import('node:url');
    // A real second process runs the built package, as the gateway would (`npm test` builds first).
    const built = join(process.cwd(), 'plugins/file/dist/index.js');
    await readFile(built).catch(() => {
      throw new Error(`${built} is missing: run "npx tsc -b" (npm test does) before this test`);
    });
    const dist = pathToFileURL(built).href;
    const sdk = pathToFileURL(join(process.cwd(), 'libs/plugin-sdk/dist/testkit/index.js')).href;
    await writeFile(
      script,
      `import { FilePlugin, FilePluginOptions } from ${JSON.stringify(dist)};
import { createTestPluginContext, drivePlugin } from ${JSON.stringify(sdk)};
const [dir, prefix] = process.argv.slice(2);
const options = Object.assign(new FilePluginOptions(), { dir });
const plugin = new FilePlugin(options, createTestPluginContext('file'));
await plugin.start();
for (let i = 0; i < 15; i++) {
  await drivePlugin(plugin).applyChanges({ create: [{ dnsName: prefix + i + '.${ZONE}', recordType: 'A', targets: ['192.0.2.' + (i + 1)], recordTTL: 60 }], updateOld: [], updateNew: [], delete: [] });
}
`,
    );
    try {
      const run = (prefix: string) =>
        new Promise<number>((resolve, reject) => {
          const child = fork(script, [h.dir, prefix], { stdio: 'inherit' });
          child.once('error', reject);
          child.once('exit', (code) => resolve(code ?? 1));
        });
      expect(await Promise.all([run('p'), run('q')])).toEqual([0, 0]);
    } finally {
      await rm(script, { force: true });
    }
    expect(await records(h, [ZONE])).toHaveLength(30);
  });

  it('leaves the old file whole when a write dies before the rename, and ignores and cleans stray temp files', async () => {
    const dir = await tempDir();
    await startPlugin({ DNSGATE_FILE_ZONES: ZONE }, dir);
    const failing = await startPlugin({ DNSGATE_FILE_ZONES: ZONE }, dir, {
      beforeRename: async () => {
        throw new Error('simulated crash before rename');
      },
    });
    const before = await readFile(join(dir, `${ZONE}.zone`));
    await expect(
      failing.driver.applyChanges(changes({ create: [ep(`a.${ZONE}`, 'A', ['192.0.2.1'])] })),
    ).rejects.toThrow(/zone file I\/O failed: simulated crash/);
    expect(await readFile(join(dir, `${ZONE}.zone`))).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);

    // What a SIGKILL mid-write leaves: a half-written temp file of a process that is gone.
    const stray = `.${ZONE}.zone.tmp-4194305-abcdef`;
    await writeFile(join(dir, stray), '$ORIGIN example.com.\n@ 300 IN A');
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE }, dir);
    expect(await h.plugin.zones()).toEqual([ZONE]);
    expect(await readdir(dir)).not.toContain(stray);
    expect(h.context.lines.some((l) => l.message.includes(stray))).toBe(true);
    expect(await readFile(join(dir, `${ZONE}.zone`))).toEqual(before);
  });

  it('reads files BIND wrote (named-compilezone and named-checkzone -D) like the hand-written original', async () => {
    const dir = await tempDir();
    const original = join(dir, `${ZONE}.zone`);
    await writeFile(
      original,
      `$TTL 1h ; default
@   IN  SOA localhost. hostmaster ( 42 ; serial
        3h 15m 2w 5m )
    IN  NS  localhost.
www 300 A   192.0.2.1
        A   192.0.2.2
Mixed.Case  IN 60 AAAA 2001:DB8::1
txt TXT "quoted \\"x\\"" ( "and;more" ) unquoted
txt2 TXT "\\065\\066C"
_srv._tcp   SRV 0 5 80 www
$ORIGIN sub
alias   CNAME   www.example.com.
@   MX  10 mail.example.net.
caa CAA 0 issue "ca.example.net"
`,
    );
    await assertNamedCheckzone(ZONE, original);
    const compiled = join(dir, `compiled-${ZONE}.txt`);
    const compile = await runCommand('named-compilezone', ['-o', compiled, ZONE, original]);
    expect(compile.code).toBe(0);
    const dumped = await bindDump(ZONE, original);
    const h = await startPlugin({}, dir);
    const fromOriginal = await records(h, [ZONE]);
    const fromCompiled = (await import('@dnsgate/plugin-file')).endpointsOf(
      parseZoneFile(await readFile(compiled, 'utf8'), { origin: ZONE }),
      [ZONE],
    );
    const fromDump = (await import('@dnsgate/plugin-file')).endpointsOf(parseZoneFile(dumped, { origin: ZONE }), [
      ZONE,
    ]);
    await rm(compiled);
    expect(fromCompiled).toEqual(fromOriginal);
    expect(fromDump).toEqual(fromOriginal);
    expect(fromOriginal).toEqual([
      ep(`_srv._tcp.${ZONE}`, 'SRV', [`0 5 80 www.${ZONE}`], 3600),
      ep(`alias.sub.${ZONE}`, 'CNAME', [`www.${ZONE}`], 3600),
      ep(`caa.sub.${ZONE}`, 'CAA', ['0 issue "ca.example.net"'], 3600),
      ep(`mixed.case.${ZONE}`, 'AAAA', ['2001:db8::1'], 60),
      ep(`sub.${ZONE}`, 'MX', ['10 mail.example.net'], 3600),
      ep(`txt.${ZONE}`, 'TXT', ['"quoted \\"x\\"and;moreunquoted"'], 3600),
      ep(`txt2.${ZONE}`, 'TXT', ['"ABC"'], 3600),
      ep(`www.${ZONE}`, 'A', ['192.0.2.1', '192.0.2.2'], 300),
    ]);
    // A change rewrites the hand-made file canonically and keeps every record.
    await h.driver.applyChanges(changes({ create: [ep(`new.${ZONE}`, 'A', ['192.0.2.9'], 300)] }));
    expect(await records(h, [ZONE])).toEqual(
      [...fromOriginal, ep(`new.${ZONE}`, 'A', ['192.0.2.9'], 300)].sort((a, b) => (a.dnsName < b.dnsName ? -1 : 1)),
    );
    expect(await readFile(original, 'utf8')).toMatch(
      /SOA\tlocalhost\. hostmaster\.example\.com\. \d+ 10800 900 1209600 300$/m,
    );
  });

  it('answers a broken zone file with a soft backend error naming the line, and stays ready', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: `${ZONE},${OTHER}` });
    const broken = join(h.dir, `${OTHER}.zone`);
    await writeFile(broken, `$TTL 60\n@ SOA localhost. h 1 1 1 1 1\nwww A 192.0.2.1 (\n`);
    const failure = h.driver.records({ zones: [ZONE, OTHER] });
    await expect(failure).rejects.toMatchObject({ statusCode: 502 });
    await expect(h.driver.records({ zones: [OTHER] })).rejects.toThrow(/example\.org\.zone:3: unclosed "\("/);
    expect(await h.plugin.readiness()).toEqual({ ready: true });
    await h.driver.applyChanges(changes({ create: [ep(`ok.${ZONE}`, 'A', ['192.0.2.1'])] }));
    expect(await records(h, [ZONE])).toEqual([ep(`ok.${ZONE}`, 'A', ['192.0.2.1'], 300)]);
    await rm(broken);
  });

  it('writes a file a real named serves', async () => {
    const h = await startPlugin({ DNSGATE_FILE_ZONES: ZONE });
    const desired = await h.driver.adjustEndpoints([
      ep(`www.${ZONE}`, 'A', ['192.0.2.1', '192.0.2.2']),
      ep(`www.${ZONE}`, 'TXT', ['"heritage=external-dns,external-dns/owner=default"']),
      ep(`alias.${ZONE}`, 'CNAME', [`www.${ZONE}`]),
      ep(`_sip._tcp.${ZONE}`, 'SRV', ['10 5 5060 sip.example.net']),
      ep(ZONE, 'CAA', ['0 issue "letsencrypt.org"']),
    ]);
    await h.driver.applyChanges(changes({ create: desired }));
    const bind = await startBind({ zones: [{ name: ZONE, file: join(h.dir, `${ZONE}.zone`) }] });
    try {
      expect(await digShort('127.0.0.1', bind.port, `www.${ZONE}`, 'A')).toEqual(['192.0.2.1', '192.0.2.2']);
      expect(await digShort('127.0.0.1', bind.port, `www.${ZONE}`, 'TXT')).toEqual([
        '"heritage=external-dns,external-dns/owner=default"',
      ]);
      expect(await digShort('127.0.0.1', bind.port, `alias.${ZONE}`, 'CNAME')).toEqual([`www.${ZONE}.`]);
      expect(await digShort('127.0.0.1', bind.port, `_sip._tcp.${ZONE}`, 'SRV')).toEqual([
        '10 5 5060 sip.example.net.',
      ]);
      expect(await digShort('127.0.0.1', bind.port, ZONE, 'CAA')).toEqual(['0 issue "letsencrypt.org"']);
    } finally {
      await bind.dispose();
    }
  });
});
