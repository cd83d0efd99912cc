import { readFileSync } from 'node:fs';
import { validateSync, type ValidationError } from 'class-validator';
import { ConfigError, PluginConfigError } from '../errors/dnsgate-errors.js';
import {
  getDeclaredOptions,
  resolveOptionType,
  toUpperSnake,
  type DeclaredPluginOption,
} from './plugin-option.decorator.js';

export interface LoadedPluginOptions<Options> {
  options: Options;
  /** Secret values read, for the gateway to redact from logs. */
  secrets: string[];
}

/** `DNSGATE_<PLUGIN>_`, e.g. `DNSGATE_POWERDNS_` or `DNSGATE_MY_BACKEND_`. */
export function pluginEnvPrefix(pluginName: string): string {
  return `DNSGATE_${toUpperSnake(pluginName)}_`;
}

/**
 * Builds a plugin's options from the environment: property defaults from the
 * class, values from `<prefix><OPTION>` (or `<prefix><OPTION>_FILE` for a
 * secret), then the class-validator rules. Every problem is reported at
 * once, by variable name, and never with a secret's value.
 */
export function loadPluginOptions<Options extends object>(
  optionsClass: new () => Options,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedPluginOptions<Options> {
  const pluginName = prefix
    .replace(/^DNSGATE_|_$/g, '')
    .toLowerCase()
    .replace(/_/g, '-');
  return loadEnvOptions(optionsClass, prefix, env, (problems) => new PluginConfigError(pluginName, problems));
}

/**
 * The same for any options class and prefix; the gateway reads its own
 * `DNSGATE_*` settings with it.
 */
export function loadEnvOptions<Options extends object>(
  optionsClass: new () => Options,
  prefix: string,
  env: NodeJS.ProcessEnv,
  toError: (problems: string[]) => ConfigError = (problems) => new ConfigError('dnsgate', problems),
): LoadedPluginOptions<Options> {
  const options = new optionsClass();
  const declared = getDeclaredOptions(optionsClass);
  const problems: string[] = [];
  const secrets: string[] = [];
  const variableOf = new Map<string, string>();

  for (const option of declared) {
    const variable = prefix + option.env;
    variableOf.set(option.property, variable);
    const raw = readRaw(option, variable, env, problems);
    if (raw === undefined) continue;
    if (option.secret && raw !== '') secrets.push(raw);
    const type = resolveOptionType(option, (options as Record<string, unknown>)[option.property]);
    const converted = convert({ ...option, type }, raw);
    if (converted.ok) {
      (options as Record<string, unknown>)[option.property] = converted.value;
    } else {
      problems.push(`${variable}: ${converted.problem}`);
    }
  }

  const errors = validateSync(options, { forbidUnknownValues: false });
  for (const error of errors) problems.push(...describe(error, variableOf));

  if (problems.length > 0) {
    throw toError(problems);
  }
  return { options, secrets };
}

function readRaw(
  option: DeclaredPluginOption,
  variable: string,
  env: NodeJS.ProcessEnv,
  problems: string[],
): string | undefined {
  const direct = env[variable];
  const fileVariable = `${variable}_FILE`;
  const file = option.secret ? env[fileVariable] : undefined;
  if (direct !== undefined && file !== undefined) {
    problems.push(`${variable} and ${fileVariable} are both set; set one`);
    return undefined;
  }
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${fileVariable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  return direct;
}

type Conversion = { ok: true; value: unknown } | { ok: false; problem: string };

function convert(
  option: DeclaredPluginOption & { type: NonNullable<DeclaredPluginOption['type']> },
  raw: string,
): Conversion {
  const text = raw.trim();
  switch (option.type) {
    case 'number': {
      const value = Number(text);
      return text !== '' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, problem: `must be a number, got ${option.secret ? 'a non-number' : JSON.stringify(raw)}` };
    }
    case 'boolean': {
      if (/^(true|1|yes|on)$/i.test(text)) return { ok: true, value: true };
      if (/^(false|0|no|off)$/i.test(text)) return { ok: true, value: false };
      return { ok: false, problem: `must be true or false, got ${JSON.stringify(raw)}` };
    }
    case 'list':
      return {
        ok: true,
        value: text
          .split(/[\s,]+/)
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
    default:
      return { ok: true, value: option.secret ? raw : text };
  }
}

function describe(error: ValidationError, variableOf: Map<string, string>): string[] {
  const variable = variableOf.get(error.property) ?? error.property;
  const own = Object.values(error.constraints ?? {}).map(
    (message) => `${variable}: ${message.replace(new RegExp(`^${error.property}\\b\\s*`), '')}`,
  );
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, variableOf))];
}
