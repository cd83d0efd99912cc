import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPluginOptions, type ChangeGroup, type DnsPlugin } from '@dnsgate/plugin-sdk';
import { createTestPluginContext, describePluginConformance } from '@dnsgate/plugin-sdk/testkit';
import { FilePluginFactory, FilePluginOptions } from '@dnsgate/plugin-file';
import { assertNamedCheckzone, assertNamedCheckzoneDir, bindDump } from '../support/named-checkzone.js';

const ZONES = ['example.com', 'example.org'];

/** A zone the plugin discovers in the directory but the suite never asks for: its file must stay byte for byte. */
const FOREIGN_ZONE = 'example.net';
const FOREIGN_FILE = `$ORIGIN ${FOREIGN_ZONE}.
$TTL 3600
@ IN SOA ns.${FOREIGN_ZONE}. hostmaster.${FOREIGN_ZONE}. 1 3600 600 1209600 300
@ IN NS ns.${FOREIGN_ZONE}.
ns IN A 198.51.100.53
ck-outside IN A 198.51.100.7 ; same label as the suite writes in ${ZONES[0]}
`;

/** Hand-written lines in a managed zone, of a type the plugin keeps verbatim but never reports. */
const HAND_LINES = `; by hand
$ORIGIN ${ZONES[0]}.
hand 7200 IN HINFO "PC" "Linux"
hand 7200 IN SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
`;

interface FileFixture {
  plugin: DnsPlugin;
  zones: string[];
  dir: string;
  cleanup(): Promise<void>;
}

/** BIND's own reading of the hand-written owner, from `named-checkzone -D`. */
async function handRecords(dir: string): Promise<string[]> {
  const dump = await bindDump(ZONES[0]!, join(dir, `${ZONES[0]}.zone`));
  return dump
    .split('\n')
    .filter((line) => line.startsWith(`hand.${ZONES[0]}.`))
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .sort();
}

/** The plugin through its factory, on a fresh temp directory with `zones` configured (their files are created). */
async function fileFixture(zones: string[]): Promise<FileFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'dnsgate-file-conformance-'));
  const { options } = loadPluginOptions(FilePluginOptions, 'DNSGATE_FILE_', {
    DNSGATE_FILE_DIR: dir,
    DNSGATE_FILE_ZONES: zones.join(','),
    DNSGATE_FILE_DEFAULT_TTL: '300',
  });
  const plugin = new FilePluginFactory().create(options, createTestPluginContext('file'));
  // A zone file a group wrote records to must load in BIND, not only in the plugin's own parser.
  // (Delete-only groups, which the suite sends to clean up after every property run, are left out.)
  const writeGroup = plugin.writeGroup.bind(plugin);
  plugin.writeGroup = async (group: ChangeGroup, call) => {
    const result = await writeGroup(group, call);
    if (group.changes.some((change) => change.desired)) {
      await assertNamedCheckzone(group.zone, join(dir, `${group.zone}.zone`));
    }
    return result;
  };
  return {
    plugin,
    zones,
    dir,
    // Whatever a check left behind must still load in BIND.
    cleanup: async () => {
      try {
        expect(await assertNamedCheckzoneDir(dir)).toEqual(expect.arrayContaining(zones));
      } finally {
        // A write that waited on a stalled lock may still land (as its 504 said) while the directory is removed.
        await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
      }
    },
  };
}

// Every record type the file plugin stores, each against real zone files on disk.
describePluginConformance<FileFixture>({
  name: 'file, zone files on disk',
  recordTypes: ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NS', 'PTR', 'CAA', 'NAPTR', 'DNAME'],
  defaultTtl: 300,
  // Each run rewrites a zone file with fsync and rename; 11 types on 2 cores.
  numRuns: 15,
  // The zone file's identity: the records cache is on by default for this plugin.
  zoneVersions: 'exact',
  setup: () => fileFixture(ZONES),
  // A plain file where the zone directory should be: every read and write fails, even for root.
  breakBackend: async ({ dir }) => {
    const saved = `${dir}.saved`;
    await rename(dir, saved);
    await writeFile(dir, 'not a directory\n');
    return async () => {
      await rm(dir, { force: true });
      await rename(saved, dir);
    };
  },
  // Another live process holds the zone file's lock: writes wait for it (reads take no lock).
  stallsReads: false,
  stallBackend: async ({ dir }) => {
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    const lock = join(dir, `.${ZONES[0]}.zone.lock`);
    const owner = { pid: holder.pid, host: hostname(), token: 'another-process', at: Date.now() };
    await writeFile(lock, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
    return async () => {
      await rm(lock, { force: true });
      holder.kill();
    };
  },
  outsideRecords: {
    seed: async ({ dir }) => {
      await writeFile(join(dir, `${FOREIGN_ZONE}.zone`), FOREIGN_FILE);
      await appendFile(join(dir, `${ZONES[0]}.zone`), HAND_LINES);
      expect(await handRecords(dir)).toHaveLength(2);
    },
    verify: async ({ dir }) => {
      expect(await readFile(join(dir, `${FOREIGN_ZONE}.zone`), 'utf8')).toBe(FOREIGN_FILE);
      await assertNamedCheckzone(FOREIGN_ZONE, join(dir, `${FOREIGN_ZONE}.zone`));
      expect(await handRecords(dir)).toEqual([
        `hand.${ZONES[0]}. 7200 IN HINFO "PC" "Linux"`,
        `hand.${ZONES[0]}. 7200 IN SSHFP 1 1 0123456789ABCDEF0123456789ABCDEF01234567`,
      ]);
    },
  },
});

// A zone nested in another is served from its own file: neither reports nor writes the other's names.
describePluginConformance<FileFixture>({
  name: 'file, a zone nested in another',
  recordTypes: ['A', 'TXT'],
  defaultTtl: 300,
  numRuns: 5,
  // It declares two types here but stores every type; the drop check has nothing to offer it.
  dropsUnsupportedTypes: false,
  zoneVersions: 'exact',
  setup: () => fileFixture(['example.com', 'sub.example.com']),
});
