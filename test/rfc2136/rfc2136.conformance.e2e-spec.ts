import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describePluginConformance, type ConformanceFixture } from '@dnsgate/plugin-sdk/testkit';
import { digAxfr, startBind, type BindKey, type BindServer } from '../support/bind-server.js';
import { runCommand } from '../support/run-command.js';
import { createPlugin, rfc2136Env } from './rfc2136-test-kit.js';

/** Two zones side by side and one nested in the first, served on their own; the plugin manages all three. */
const ZONES = ['conformance.test', 'conformance.example', 'sub.conformance.test'];
/** On the same server, not configured in the plugin: it must never be touched. */
const FOREIGN_ZONE = 'foreign.test';

const secret = randomBytes(32).toString('base64');
const KEY: BindKey = { name: 'dnsgate', algorithm: 'hmac-sha256', secret, digArg: `hmac-sha256:dnsgate:${secret}` };

interface BindFixture extends ConformanceFixture {
  bind: BindServer;
}

/** Each check gets its own named (it starts in well under a second), so checks never see each other's records. */
function startServer(port?: number, files: Record<string, string> = {}): Promise<BindServer> {
  return startBind({
    zones: [...ZONES, FOREIGN_ZONE].map((name) => ({
      name,
      updateKeys: [KEY.name],
      ...(files[name] ? { file: files[name] } : {}),
    })),
    reuseKeys: [KEY],
    ...(port === undefined ? {} : { port }),
  });
}

/**
 * Starts named again on the same port with the data it had: named keeps
 * dynamic updates in its journal, so the zone files are first rebuilt from
 * file + journal, the way named itself replays it when it restarts.
 */
async function restartServer(stopped: BindServer): Promise<BindServer> {
  const files: Record<string, string> = {};
  for (const zone of [...ZONES, FOREIGN_ZONE]) {
    const out = join(stopped.dir, `${zone}.restart.zone`);
    const compiled = await runCommand('named-compilezone', [
      '-q',
      '-j',
      '-o',
      out,
      zone,
      join(stopped.dir, `${zone}.zone`),
    ]);
    if (compiled.code !== 0) throw new Error(`named-compilezone ${zone}: ${compiled.stdout}${compiled.stderr}`);
    files[zone] = out;
  }
  const restarted = await startServer(stopped.port, files);
  await stopped.dispose();
  return restarted;
}

/** What another tool wrote: a zone dnsgate is not configured for, and types it does not manage in one it is. */
const OUTSIDE = [
  `nsupdate-a.${FOREIGN_ZONE}. 60 IN A 198.51.100.7`,
  `nsupdate-txt.${FOREIGN_ZONE}. 60 IN TXT "not dnsgate's"`,
  // The name the check writes its A record to: the HINFO next to it must stay.
  `ck-outside.${ZONES[0]}. 120 IN HINFO "PC" "Linux"`,
  `host.${ZONES[0]}. 120 IN SSHFP 1 1 0123456789ABCDEF0123456789ABCDEF01234567`,
];

async function outsideLines(bind: BindServer): Promise<string[]> {
  const lines = [...(await digAxfr(bind, FOREIGN_ZONE, KEY)), ...(await digAxfr(bind, ZONES[0]!, KEY))];
  return lines.filter((line) => / IN (HINFO|SSHFP) /.test(line) || line.includes(`.${FOREIGN_ZONE}. `)).sort();
}

describePluginConformance<BindFixture>({
  name: `rfc2136 against BIND 9 (named), TSIG, three zones, two changes per UPDATE message`,
  recordTypes: ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NS', 'PTR', 'CAA', 'NAPTR', 'DNAME'],
  defaultTtl: 300,
  numRuns: 15,
  // SOA serials, which BIND moves on every update: the records cache is on by default for this plugin.
  zoneVersions: 'exact',
  serialisedRecords: true,
  setup: async () => {
    const bind = await startServer();
    // BATCH_SIZE 2: a batch of a few changes in one zone spans several UPDATE messages.
    const { plugin } = createPlugin(rfc2136Env([bind], ZONES, KEY, { DNSGATE_RFC2136_BATCH_SIZE: '2' }));
    const fixture: BindFixture = { plugin, zones: ZONES, bind, cleanup: () => fixture.bind.dispose() };
    return fixture;
  },
  // BIND's default integrity check refuses an MX whose in-zone exchange has no address.
  refusedByBackend: (zone) => [{ dnsName: zone, recordType: 'MX', targets: [`10 nomail.${zone}`] }],
  stallBackend: async ({ bind }) => {
    bind.stall();
    return async () => bind.resume();
  },
  breakBackend: async (fixture) => {
    await fixture.bind.stop();
    return async () => {
      fixture.bind = await restartServer(fixture.bind);
    };
  },
  outsideRecords: {
    seed: async ({ bind }) => {
      const script = [
        `server 127.0.0.1 ${bind.port}`,
        ...OUTSIDE.flatMap((line) => [
          `zone ${line.includes(FOREIGN_ZONE) ? FOREIGN_ZONE : ZONES[0]}`,
          `update add ${line}`,
          'send',
        ]),
        '',
      ].join('\n');
      const result = await runCommand('nsupdate', ['-y', KEY.digArg], { input: script });
      if (result.code !== 0) throw new Error(`nsupdate failed: ${result.stdout}${result.stderr}`);
      expect(await outsideLines(bind)).toEqual([...OUTSIDE].sort());
    },
    verify: async ({ bind }) => {
      expect(await outsideLines(bind)).toEqual([...OUTSIDE].sort());
    },
  },
});
