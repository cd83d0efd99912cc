import { ConfigError } from '@dnsgate/plugin-sdk';
import { resolveBackends } from '../bootstrap.js';
import { loadGatewayOptions } from '../config/load-gateway-options.js';
import { DnsgateLogger } from '../logging/dnsgate-logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { DNSGATE_VERSION } from '../version.js';
import { CHECK_EXIT, runCheck, type CheckIo } from './check.command.js';
import { USAGE, renderHelp } from './help.js';
import { gatewaySection, pluginSection, pluginsOfModules } from './option-catalog.js';

export type Command =
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'check'; timeoutMs: number }
  | { kind: 'usage-error'; problem: string };

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** `dnsgate`, `dnsgate check [--timeout=<seconds>]`, `dnsgate --help`, `dnsgate --version`. */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args;
  if (first === undefined) return { kind: 'start' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === 'check') {
    let timeoutMs = DEFAULT_CHECK_TIMEOUT_MS;
    for (const arg of rest) {
      const match = /^--timeout=(\d+(?:\.\d+)?)s?$/.exec(arg);
      if (!match) return { kind: 'usage-error', problem: `unknown argument to check: ${arg}` };
      timeoutMs = Number(match[1]) * 1000;
    }
    return { kind: 'check', timeoutMs };
  }
  return { kind: 'usage-error', problem: `unknown command: ${first}` };
}

/** Runs a command other than `start`; resolves with the process exit code. */
export async function runCommand(
  command: Exclude<Command, { kind: 'start' }>,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const io: CheckIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  switch (command.kind) {
    case 'help':
      io.out(await helpText(env, io));
      return 0;
    case 'version':
      io.out(`dnsgate ${DNSGATE_VERSION} (node ${process.version})`);
      return 0;
    case 'check':
      return runCheck(env, command.timeoutMs, io);
    case 'usage-error':
      io.err(`dnsgate: ${command.problem}\n\n${USAGE}`);
      return CHECK_EXIT.configuration;
  }
}

/**
 * The gateway's variables and those of the plugin DNSGATE_PLUGIN selects
 * (a package is loaded to read its declarations), or of every built-in
 * plugin when none is selected.
 */
async function helpText(env: NodeJS.ProcessEnv, io: CheckIo): Promise<string> {
  const builtins = (await import('../builtin-plugins.js')).BUILTIN_PLUGINS;
  let plugins = pluginsOfModules(builtins);
  if (env.DNSGATE_PLUGIN || env.DNSGATE_BACKENDS) {
    try {
      const options = loadGatewayOptions(env);
      const logger = new DnsgateLogger(new SecretRedactor(), 'error', options.logFormat);
      const resolved = await resolveBackends(env, options, builtins, logger);
      const selected = new Set(resolved.configured.map((backend) => backend.pluginName));
      plugins = pluginsOfModules(resolved.plugins).filter((metadata) => selected.has(metadata.name));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`warning: ${error.message}; listing the built-in plugins`);
    }
  }
  return renderHelp([gatewaySection(), ...plugins.map(pluginSection)]);
}
