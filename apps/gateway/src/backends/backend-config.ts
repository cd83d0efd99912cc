import {
  ConfigError,
  RECORDS_CACHE_MODES,
  ZoneIndex,
  normalizeDnsName,
  parseDuration,
  pluginEnvPrefix,
  toUpperSnake,
  type RecordsCacheMode,
} from '@dnsgate/plugin-sdk';

/** One backend instance as configured: which plugin, which zones, where its options are read from. */
export interface BackendSpec {
  /** The instance's name: lower-case letters, digits, `-` and `_`; the plugin's name in the single-backend form. */
  name: string;
  /** DNSGATE_PLUGIN or DNSGATE_BACKEND_<NAME>_PLUGIN as given: a built-in name, a package or a path. */
  pluginSpec: string;
  /** The zones it owns (from configuration); undefined in the single-backend form: the plugin's own. */
  zones?: string[];
  /** Where the plugin's options are read: `DNSGATE_<PLUGIN>_` or `DNSGATE_BACKEND_<NAME>_<PLUGIN>_`. */
  optionPrefix(pluginName: string): string;
  /** ApplyChanges writes nothing (DNSGATE_DRY_RUN, or DNSGATE_BACKEND_<NAME>_DRY_RUN). */
  dryRun: boolean;
  /** DNSGATE_RECORDS_CACHE{,_MAX_AGE}, or DNSGATE_BACKEND_<NAME>_RECORDS_CACHE{,_MAX_AGE}. */
  recordsCache: RecordsCacheSpec;
}

export interface RecordsCacheSpec {
  mode: RecordsCacheMode;
  maxAgeMs: number;
}

/** What every instance gets unless its own variables say otherwise. */
export interface BackendDefaults {
  plugin: string;
  dryRun: boolean;
  recordsCache: RecordsCacheSpec;
}

/** The gateway's own variables of an instance, after `DNSGATE_BACKEND_<NAME>_`. */
export const INSTANCE_VARIABLE_SUFFIXES = [
  'PLUGIN',
  'ZONES',
  'DRY_RUN',
  'RECORDS_CACHE',
  'RECORDS_CACHE_MAX_AGE',
] as const;

const INSTANCE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const BOOLEAN = /^(true|1|yes|on|false|0|no|off)$/i;

/** The part of `DNSGATE_BACKEND_<PART>_…` for an instance name. */
export function instanceVariablePart(name: string): string {
  return toUpperSnake(name.replace(/-/g, '_'));
}

/**
 * The backend instances the environment configures. `DNSGATE_BACKENDS`
 * lists named instances, each with `DNSGATE_BACKEND_<NAME>_PLUGIN`,
 * `_ZONES` (required when there are several: negotiation never waits on a
 * backend), optional `_DRY_RUN` and `_RECORDS_CACHE{,_MAX_AGE}`, and the plugin's options under
 * `DNSGATE_BACKEND_<NAME>_<PLUGIN>_<OPTION>`. Without it, one instance named
 * after `DNSGATE_PLUGIN`, its options under `DNSGATE_<PLUGIN>_`. Every
 * problem is one boot error naming its variable.
 */
export function backendSpecs(env: NodeJS.ProcessEnv, defaults: BackendDefaults): BackendSpec[] {
  const listed = env.DNSGATE_BACKENDS?.trim();
  if (!listed) {
    const strays = Object.keys(env).filter((key) => key.startsWith('DNSGATE_BACKEND_'));
    if (strays.length > 0) {
      throw new ConfigError(
        'dnsgate',
        strays.map((key) => `${key}: set for a backend instance, but DNSGATE_BACKENDS lists none`),
      );
    }
    return [
      {
        name: defaults.plugin,
        pluginSpec: defaults.plugin,
        optionPrefix: (pluginName) => pluginEnvPrefix(pluginName),
        dryRun: defaults.dryRun,
        recordsCache: defaults.recordsCache,
      },
    ];
  }
  const problems: string[] = [];
  if (env.DNSGATE_PLUGIN !== undefined) {
    problems.push('DNSGATE_PLUGIN: set DNSGATE_PLUGIN or DNSGATE_BACKENDS, not both (each backend names its plugin)');
  }
  const names = listed
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const parts = new Map<string, string>();
  for (const name of names) {
    if (!INSTANCE_NAME.test(name)) {
      problems.push(
        `DNSGATE_BACKENDS: ${JSON.stringify(name)} is not an instance name (lower-case letters, digits, "-" and "_")`,
      );
      continue;
    }
    const part = instanceVariablePart(name);
    const clash = parts.get(part);
    if (clash !== undefined) {
      problems.push(`DNSGATE_BACKENDS: ${clash} and ${name} are both read from DNSGATE_BACKEND_${part}_*; rename one`);
      continue;
    }
    parts.set(part, name);
  }
  // A variable of an instance that is not listed is a typo or a leftover: say so rather than ignore it.
  const prefixes = [...parts.keys()].map((part) => `DNSGATE_BACKEND_${part}_`);
  for (const key of Object.keys(env)) {
    if (!key.startsWith('DNSGATE_BACKEND_') || prefixes.some((prefix) => key.startsWith(prefix))) continue;
    problems.push(`${key}: no instance of DNSGATE_BACKENDS (${names.join(', ')}) is read from this variable`);
  }
  const specs: BackendSpec[] = [];
  for (const [part, name] of parts) {
    const variable = (suffix: string) => `DNSGATE_BACKEND_${part}_${suffix}`;
    const pluginSpec = env[variable('PLUGIN')]?.trim();
    if (!pluginSpec) problems.push(`${variable('PLUGIN')}: is required: the plugin of backend "${name}"`);
    const zoneText = env[variable('ZONES')]?.trim();
    const zones = zoneText
      ? [
          ...new Set(
            zoneText
              .split(/[\s,]+/)
              .filter((z) => z !== '')
              .map(normalizeDnsName),
          ),
        ]
      : undefined;
    if (!zones && parts.size > 1) {
      problems.push(`${variable('ZONES')}: is required when DNSGATE_BACKENDS lists several instances`);
    }
    const dryRunText = env[variable('DRY_RUN')]?.trim();
    if (dryRunText !== undefined && !BOOLEAN.test(dryRunText)) {
      problems.push(`${variable('DRY_RUN')}: must be true or false, got ${JSON.stringify(dryRunText)}`);
    }
    const recordsCache = instanceRecordsCache(env, variable, defaults.recordsCache, problems);
    specs.push({
      name,
      pluginSpec: pluginSpec ?? '',
      ...(zones ? { zones } : {}),
      optionPrefix: (pluginName) => `DNSGATE_BACKEND_${part}_${toUpperSnake(pluginName)}_`,
      dryRun: dryRunText === undefined ? defaults.dryRun : /^(true|1|yes|on)$/i.test(dryRunText),
      recordsCache,
    });
  }
  problems.push(...zoneClashes(specs));
  if (problems.length > 0) throw new ConfigError('dnsgate', problems);
  return specs;
}

/** An instance's records cache: its own variables where set, else the gateway's. */
function instanceRecordsCache(
  env: NodeJS.ProcessEnv,
  variable: (suffix: string) => string,
  defaults: RecordsCacheSpec,
  problems: string[],
): RecordsCacheSpec {
  const modeText = env[variable('RECORDS_CACHE')]?.trim().toLowerCase();
  let mode = defaults.mode;
  if (modeText !== undefined) {
    if ((RECORDS_CACHE_MODES as readonly string[]).includes(modeText)) mode = modeText as RecordsCacheMode;
    else
      problems.push(
        `${variable('RECORDS_CACHE')}: must be one of ${RECORDS_CACHE_MODES.join(', ')}, got ${JSON.stringify(modeText)}`,
      );
  }
  const maxAgeText = env[variable('RECORDS_CACHE_MAX_AGE')]?.trim();
  let maxAgeMs = defaults.maxAgeMs;
  if (maxAgeText !== undefined) {
    const parsed = parseDuration(maxAgeText);
    if (parsed === undefined) {
      problems.push(
        `${variable('RECORDS_CACHE_MAX_AGE')}: must be a duration such as 10m or 90s, got ${JSON.stringify(maxAgeText)}`,
      );
    } else maxAgeMs = parsed;
  }
  return { mode, maxAgeMs };
}

/** A zone owned by two instances: which one a name goes to would be a guess. */
function zoneClashes(specs: readonly BackendSpec[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const spec of specs) {
    for (const zone of spec.zones ?? []) {
      const other = owner.get(zone);
      if (other !== undefined && other !== spec.name) {
        problems.push(
          `DNSGATE_BACKEND_${instanceVariablePart(spec.name)}_ZONES: zone ${zone} is already owned by backend "${other}" (DNSGATE_BACKEND_${instanceVariablePart(other)}_ZONES)`,
        );
      }
      owner.set(zone, spec.name);
    }
  }
  return problems;
}

/**
 * Which instance owns a name: the one holding the longest zone it is within,
 * on a label boundary (`a.dev.example.org` goes to the owner of
 * `dev.example.org` rather than of `example.org`).
 */
export class ZoneRouter<Instance> {
  private readonly index: ZoneIndex;
  private readonly owners = new Map<string, Instance>();

  constructor(zonesOf: ReadonlyArray<readonly [Instance, readonly string[]]>) {
    for (const [instance, zones] of zonesOf)
      for (const zone of zones) this.owners.set(normalizeDnsName(zone), instance);
    this.index = new ZoneIndex(this.owners.keys());
  }

  ownerOf(name: string): Instance | undefined {
    const zone = this.index.find(name);
    return zone === undefined ? undefined : this.owners.get(zone);
  }
}
