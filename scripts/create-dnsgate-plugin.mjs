#!/usr/bin/env node
// Generates a dnsgate plugin package that builds, loads in dnsgate and passes
// the SDK's conformance testkit, with an in-memory backend to replace.
//
//   node scripts/create-dnsgate-plugin.mjs <dir> <name> [--registry]
//
// Until @dnsgate/plugin-sdk is on the npm registry, the generated package
// installs the SDK from the tarballs `npm run pack:sdk` writes to packs/ in
// this checkout; --registry asks the registry for it instead.
//
// Plain Node and no dependencies, so it runs before anything is installed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function usage(problem) {
  process.stderr.write(
    `${problem ? `create-dnsgate-plugin: ${problem}\n\n` : ''}usage: node create-dnsgate-plugin.mjs <dir> <name> [--registry]\n\n` +
      '  <dir>       the folder to create (must not exist, or be empty)\n' +
      '  <name>      the plugin name: lower case letters, digits and "-", starting with a letter;\n' +
      '              it selects the plugin (DNSGATE_PLUGIN=<name>) and prefixes its options (DNSGATE_<NAME>_*)\n' +
      '  --registry  take @dnsgate/plugin-sdk from the npm registry instead of the tarballs\n' +
      '              `npm run pack:sdk` writes to packs/ in this dnsgate checkout\n',
  );
  process.exit(problem ? 2 : 0);
}

/** The SDK's version in this checkout. */
function sdkVersion() {
  try {
    return JSON.parse(readFileSync(join(REPO_ROOT, 'libs/plugin-sdk/package.json'), 'utf8')).version;
  } catch {
    return '0.1.0';
  }
}

/**
 * Where the generated package gets the SDK for its build and tests: the
 * range it declares as a peer (what dnsgate provides once published), and
 * the dev dependencies npm installs now.
 */
export function sdkSource({ registry = false, packageDir = process.cwd(), version = sdkVersion() } = {}) {
  const peerRange = `^${version}`;
  if (registry) return { peerRange, devDependencies: { '@dnsgate/plugin-sdk': peerRange } };
  const tarballs = {
    '@dnsgate/plugin-sdk': join(REPO_ROOT, 'packs', `dnsgate-plugin-sdk-${version}.tgz`),
    // The SDK depends on it by version; named here too, npm takes it from the tarball instead of the registry.
    '@dnsgate/protocol': join(REPO_ROOT, 'packs', `dnsgate-protocol-${version}.tgz`),
  };
  const missing = Object.values(tarballs).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    return {
      problem:
        `the SDK tarballs are not there (${missing.join(', ')}): run \`npm run pack:sdk\` in ${REPO_ROOT} first, ` +
        'or pass --registry once @dnsgate/plugin-sdk is published',
    };
  }
  const devDependencies = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${relative(packageDir, file)}`]),
  );
  return { peerRange, devDependencies };
}

const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c) => c.toUpperCase());
const upperSnake = (name) => name.replace(/-/g, '_').toUpperCase();

export function pluginFiles(name, sdk = sdkSource({ registry: true })) {
  const Class = pascal(name);
  const ENV = `DNSGATE_${upperSnake(name)}_`;
  const packageName = `dnsgate-plugin-${name}`;
  const files = {};

  files['package.json'] = `${JSON.stringify(
    {
      name: packageName,
      version: '0.1.0',
      description: `A dnsgate plugin for ${name}`,
      license: 'Apache-2.0',
      type: 'module',
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
      files: ['dist', 'README.md'],
      keywords: ['dnsgate-plugin', 'external-dns'],
      engines: { node: '>=22' },
      scripts: {
        build: 'tsc -p .',
        test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js',
        prepack: 'tsc -p .',
      },
      peerDependencies: {
        '@dnsgate/plugin-sdk': sdk.peerRange,
        '@nestjs/common': '^12.0.0',
        'class-transformer': '^0.5.1',
        'class-validator': '^0.15.1',
        'prom-client': '^15.1.0',
        'reflect-metadata': '^0.2.2',
      },
      devDependencies: {
        ...sdk.devDependencies,
        '@types/jest': '^29.5.0',
        '@types/node': '^20.19.0',
        'fast-check': '^4.10.0',
        jest: '^29.7.0',
        'ts-jest': '^29.4.0',
        typescript: '~6.0.3',
      },
    },
    null,
    2,
  )}\n`;

  files['tsconfig.json'] = `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: false,
        isolatedModules: true,
        skipLibCheck: true,
        declaration: true,
        sourceMap: true,
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    },
    null,
    2,
  )}\n`;

  files['jest.config.js'] = `// Tests run on the TypeScript sources; ts-jest transpiles each file alone
// (isolatedModules) and keeps the decorator metadata the SDK needs.
export default {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\\\.ts$': ['ts-jest', { useESM: true, diagnostics: false, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
`;

  files['.gitignore'] = 'node_modules/\ndist/\n*.tgz\n';

  files[`src/${name}.options.ts`] = `import { PluginOption } from '@dnsgate/plugin-sdk';
import { ArrayNotEmpty, IsInt, IsString, Max, Min } from 'class-validator';

/** Filled from \`${ENV}<OPTION>\`; every problem stops dnsgate at boot, named by its variable. */
export class ${Class}PluginOptions {
  @PluginOption({ description: 'The zones this backend serves, comma separated', type: 'list' })
  @ArrayNotEmpty({ message: 'is required: at least one zone' })
  @IsString({ each: true })
  zones: string[] = [];

  @PluginOption({ description: 'TTL given to records that arrive without one' })
  @IsInt()
  @Min(1)
  @Max(2147483647)
  defaultTtl = 300;

  // A secret: may also come from ${ENV}API_KEY_FILE, and is redacted from every log line.
  @PluginOption({ description: 'The API key of the backend (unused by the in-memory backend)', secret: true })
  @IsString()
  apiKey = '';
}
`;

  files[`src/${name}.backend.ts`] = `import type { Endpoint } from '@dnsgate/plugin-sdk';

/**
 * The backend client. This one keeps records in memory so the package works
 * from the first build; replace its two methods with calls to your DNS
 * server's API. Throw the SDK's errors: BackendUnavailableError when it
 * cannot be reached, BackendTimeoutError on a timeout, BackendError when it
 * answers with a failure. Each becomes a 5xx, which ExternalDNS retries.
 */
export class ${Class}Backend {
  private readonly records = new Map<string, Endpoint>();

  /** Every record set, in the form the plugin reports (normalised on the way in). */
  async list(): Promise<Endpoint[]> {
    return [...this.records.values()].map((e) => structuredClone(e));
  }

  /** Replaces the given record sets and removes the deleted ones, all at once or not at all. */
  async write(upserts: Map<string, Endpoint>, deletes: Set<string>): Promise<void> {
    for (const key of deletes) this.records.delete(key);
    for (const [key, endpoint] of upserts) this.records.set(key, structuredClone(endpoint));
  }
}
`;

  files[`src/${name}.plugin.ts`] = `import { isIPv4, isIPv6 } from 'node:net';
import {
  canonicalTxtTarget,
  endpointKey,
  isWithinDomain,
  normalizeDnsName,
  targetRuleProblem,
  zoneStateOf,
  type ChangeGroup,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordsRequest,
  type ZoneState,
} from '@dnsgate/plugin-sdk';
import type { Counter } from 'prom-client';
import { ${Class}Backend } from './${name}.backend.js';
import type { ${Class}PluginOptions } from './${name}.options.js';

/** The record types this plugin holds; AdjustEndpoints drops the others. */
export const SUPPORTED_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_RECORD_TYPES);

/**
 * Plugin API 2: the SDK runs every batch (it checks each change with
 * checkRecord, reads each zone it touches with readZoneState, refuses stale
 * changes one by one, and hands writeGroup one group per zone, splitting a
 * group the backend refuses to find the change responsible). The plugin only
 * speaks to its backend.
 */
export class ${Class}Plugin implements DnsPlugin {
  private readonly zoneList: string[];
  private readonly changesWritten: Counter<'instance' | 'action'>;

  constructor(
    private readonly options: ${Class}PluginOptions,
    private readonly context: PluginContext,
    private readonly backend = new ${Class}Backend(),
  ) {
    this.zoneList = options.zones.map(normalizeDnsName);
    this.changesWritten = context.metrics.counter({
      name: 'changes_written_total',
      help: 'Record sets created, updated and deleted in the backend',
      labelNames: ['instance', 'action'],
    });
  }

  async start(): Promise<void> {
    // Connect to the backend here; a throw is retried by dnsgate with backoff.
    await this.backend.list();
  }

  async readiness(): Promise<Readiness> {
    try {
      await this.backend.list();
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: (error as Error).message };
    }
  }

  async zones(): Promise<string[]> {
    return [...this.zoneList];
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const all = await this.backend.list();
    return all.filter((e) => request.zones.some((zone) => isWithinDomain(e.dnsName, zone)));
  }

  /** Exactly the form records() reports, or why the backend cannot hold it. No I/O: it runs for every endpoint. */
  checkRecord(endpoint: Endpoint): RecordCheck {
    const recordType = endpoint.recordType.toUpperCase();
    if (!SUPPORTED.has(recordType)) {
      return { ok: false, reason: 'type', problem: \`record type \${recordType} is not supported\` };
    }
    const targets = endpoint.targets.map((t) => (recordType === 'TXT' ? canonicalTxtTarget(t) : normalizeTarget(recordType, t)));
    const unique = [...new Set(targets)].sort();
    if (unique.length === 0) return { ok: false, reason: 'no_targets', problem: 'no targets' };
    const bad = unique.find((t) => (recordType === 'A' && !isIPv4(t)) || (recordType === 'AAAA' && !isIPv6(t)));
    if (bad !== undefined) return { ok: false, reason: 'target', problem: \`not an address: \${bad}\` };
    // The limits every DNS backend shares (a TXT must fit a DNS message, …): see the SDK's record rules.
    const problem = unique.map((t) => targetRuleProblem(recordType, t, { checkNames: false })).find(Boolean);
    if (problem) return { ok: false, reason: 'target', problem };
    if (recordType === 'CNAME' && unique.length > 1) {
      return { ok: false, reason: 'target', problem: 'a CNAME has exactly one target' };
    }
    const checked: Endpoint = {
      dnsName: normalizeDnsName(endpoint.dnsName),
      targets: unique,
      recordType,
      recordTTL: endpoint.recordTTL || this.options.defaultTtl,
    };
    if (endpoint.setIdentifier) checked.setIdentifier = endpoint.setIdentifier;
    if (endpoint.labels) checked.labels = { ...endpoint.labels };
    return { ok: true, endpoint: checked };
  }

  /** What the zone holds now, for the SDK's conflict check. */
  async readZoneState(zone: string): Promise<ZoneState> {
    return zoneStateOf(await this.records({ zones: [zone] }));
  }

  /**
   * One group of checked changes to one zone, in one backend call. Throw
   * GroupRefusedError when the backend refuses the group for its data (the
   * SDK then isolates the change responsible); any other SDK error for a
   * backend that is down or failing.
   */
  async writeGroup(group: ChangeGroup): Promise<void> {
    const upserts = new Map<string, Endpoint>();
    const deletes = new Set<string>();
    for (const change of group.changes) {
      if (change.action === 'delete') deletes.add(endpointKey(change.current!));
      else upserts.set(endpointKey(change.desired!), change.desired!);
    }
    await this.backend.write(upserts, deletes);
    for (const change of group.changes) {
      this.changesWritten.inc({ instance: this.context.instanceName, action: change.action });
    }
  }
}

function normalizeTarget(recordType: string, target: string): string {
  const trimmed = target.trim();
  if (recordType === 'CNAME') return normalizeDnsName(trimmed);
  if (recordType === 'AAAA' && isIPv6(trimmed)) return new URL(\`http://[\${trimmed}]/\`).hostname.slice(1, -1);
  return trimmed;
}
`;

  files[`src/${name}.plugin-factory.ts`] =
    `import { DnsgatePlugin, type DnsPluginFactory, type PluginContext } from '@dnsgate/plugin-sdk';
import { ${Class}PluginOptions } from './${name}.options.js';
import { ${Class}Plugin } from './${name}.plugin.js';

@DnsgatePlugin({ name: '${name}', description: 'records in ${name}', options: ${Class}PluginOptions })
export class ${Class}PluginFactory implements DnsPluginFactory<${Class}PluginOptions> {
  create(options: ${Class}PluginOptions, context: PluginContext): ${Class}Plugin {
    return new ${Class}Plugin(options, context);
  }
}
`;

  files['src/index.ts'] = `import 'reflect-metadata';
import { createPluginModule } from '@dnsgate/plugin-sdk';
import { ${Class}PluginFactory } from './${name}.plugin-factory.js';

export { ${Class}PluginFactory } from './${name}.plugin-factory.js';
export { ${Class}PluginOptions } from './${name}.options.js';
export { ${Class}Plugin, SUPPORTED_RECORD_TYPES } from './${name}.plugin.js';

/** What dnsgate imports when DNSGATE_PLUGIN=${name} (or ${packageName}). */
export const dnsgatePlugin = createPluginModule(${Class}PluginFactory);
export default dnsgatePlugin;
`;

  files[`test/${name}.conformance.spec.ts`] = `import {
  BackendUnavailableError,
  PLUGIN_API_VERSION,
  getPluginMetadata,
  loadPluginOptions,
} from '@dnsgate/plugin-sdk';
import { createTestPluginContext, describePluginConformance } from '@dnsgate/plugin-sdk/testkit';
import { ${Class}PluginOptions, SUPPORTED_RECORD_TYPES, dnsgatePlugin } from '../src/index.js';
import { ${Class}Backend } from '../src/${name}.backend.js';
import { ${Class}Plugin } from '../src/${name}.plugin.js';

class BreakableBackend extends ${Class}Backend {
  broken = false;
  override async list() {
    if (this.broken) throw new BackendUnavailableError('backend switched off by the test');
    return super.list();
  }
}

// Point setup at a real server once the backend is real: start it in a
// beforeAll, and give every setup() call a fresh zone.
describePluginConformance({
  name: '${name}',
  recordTypes: SUPPORTED_RECORD_TYPES,
  defaultTtl: 300,
  setup: async () => {
    const zones = ['example.com', 'example.org'];
    const { options } = loadPluginOptions(${Class}PluginOptions, '${ENV}', { ${ENV}ZONES: zones.join(',') });
    const backend = new BreakableBackend();
    const plugin = new ${Class}Plugin(options, createTestPluginContext('${name}'), backend);
    return { plugin, zones, backend };
  },
  breakBackend: async ({ backend }) => {
    backend.broken = true;
    return async () => {
      backend.broken = false;
    };
  },
});

it('registers as "${name}" for the plugin API this SDK speaks', () => {
  const metadata = getPluginMetadata(dnsgatePlugin.providers?.[0]);
  expect(metadata?.name).toBe('${name}');
  expect(metadata?.apiVersion).toBe(PLUGIN_API_VERSION);
});
`;

  files['README.md'] = `# ${packageName}

A [dnsgate](https://github.com/dnsgate/dnsgate) plugin for ${name}. Generated by
\`create-dnsgate-plugin\`: the backend in \`src/${name}.backend.ts\` keeps records in
memory until you replace it with your server's API.

## Name

\`${name}\`. Install the package where dnsgate runs and select it with
\`DNSGATE_PLUGIN=${packageName}\` (or \`DNSGATE_PLUGIN=${name}\`, or a path to the package).

## What it manages

A, AAAA, CNAME and TXT record sets in the zones of \`${ENV}ZONES\`. Other record
types are dropped in AdjustEndpoints (dnsgate logs and counts each). TXT targets are reported in
one quoted form; records without a TTL get \`${ENV}DEFAULT_TTL\`.

## Options

| variable | default | meaning |
|---|---|---|
| \`${ENV}ZONES\` | (required) | The zones this backend serves, comma separated |
| \`${ENV}DEFAULT_TTL\` | \`300\` | TTL given to records that arrive without one |
| \`${ENV}API_KEY\` / \`${ENV}API_KEY_FILE\` | empty | The backend's API key (a secret: redacted from logs) |

## Metrics

| metric | type | meaning |
|---|---|---|
| \`dnsgate_${name.replace(/-/g, '_')}_changes_written_total{instance,action}\` | counter | Record sets created, updated and deleted in the backend |

## Readiness

Ready when the backend answers a listing of its records.

## Limits

- Describe here what the backend cannot do (record types, TTL limits, rate limits).

## Development

\`\`\`sh
npm install
npm run build
npm test        # runs the dnsgate conformance suite against the plugin
\`\`\`
`;
  return files;
}

function main(argv) {
  const flags = argv.filter((arg) => arg.startsWith('-'));
  const [dir, name] = argv.filter((arg) => !arg.startsWith('-'));
  if (flags.includes('-h') || flags.includes('--help')) usage();
  const unknown = flags.filter((flag) => flag !== '--registry');
  if (unknown.length > 0) usage(`unknown option ${unknown[0]}`);
  if (!dir || !name) usage('a folder and a plugin name are required');
  if (!PLUGIN_NAME.test(name)) usage(`"${name}" is not a plugin name (a-z, 0-9 and "-", starting with a letter)`);
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) usage(`${root} exists and is not empty`);
  const sdk = sdkSource({ registry: flags.includes('--registry'), packageDir: root });
  if (sdk.problem) usage(sdk.problem);
  for (const [path, content] of Object.entries(pluginFiles(name, sdk))) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  process.stdout.write(
    `created dnsgate-plugin-${name} in ${root}\n\nnext:\n  cd ${basename(root)}\n  npm install\n  npm run build && npm test\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
