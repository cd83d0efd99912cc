import type { DynamicModule } from '@nestjs/common';
import { INSTANCE_VARIABLE_SUFFIXES, instanceVariablePart } from '../backends/backend-config.js';
import type { ConfiguredBackend } from '../core/gateway-core.module-definition.js';
import {
  GATEWAY_ENV_PREFIX,
  describeOptions,
  gatewaySection,
  knownVariables,
  pluginSection,
  pluginsOfModules,
} from './option-catalog.js';

export interface UnknownVariable {
  variable: string;
  /** The known variable it most likely meant, when one is close enough. */
  closest?: string;
}

/**
 * Every `DNSGATE_*` variable in the environment that no declaration reads:
 * a typo (`DNSGATE_POWERDNS_APIKEY`) would otherwise be silently ignored and
 * the default used.
 */
export function findUnknownVariables(env: NodeJS.ProcessEnv, known: readonly string[]): UnknownVariable[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => name.startsWith(GATEWAY_ENV_PREFIX) && !knownSet.has(name))
    .sort()
    .map((variable) => {
      const closest = closestName(variable, known);
      return closest ? { variable, closest } : { variable };
    });
}

export function describeUnknownVariable({ variable, closest }: UnknownVariable): string {
  return closest
    ? `${variable} is not a dnsgate variable and is ignored; did you mean ${closest}?`
    : `${variable} is not a dnsgate variable and is ignored (dnsgate --help lists them)`;
}

/** The known name with the smallest edit distance, if it is within a third of the name's length. */
function closestName(variable: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(variable, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor((variable.length - GATEWAY_ENV_PREFIX.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Warns once per unknown `DNSGATE_*` variable, knowing the gateway's, the
 * offered plugins' and, with several backends, each instance's variables
 * (`DNSGATE_BACKEND_<NAME>_<PLUGIN>_<OPTION>` among them).
 */
export function warnAboutUnknownVariables(
  env: NodeJS.ProcessEnv,
  pluginModules: DynamicModule[],
  backends: readonly ConfiguredBackend[],
  warn: (line: string) => void,
): void {
  const metadata = pluginsOfModules(pluginModules);
  const sections = [gatewaySection(), ...metadata.map(pluginSection)];
  const known = knownVariables(sections);
  if (env.DNSGATE_BACKENDS !== undefined) {
    known.push('DNSGATE_BACKENDS');
    for (const { spec, pluginName } of backends) {
      const part = `DNSGATE_BACKEND_${instanceVariablePart(spec.name)}_`;
      known.push(...INSTANCE_VARIABLE_SUFFIXES.map((suffix) => `${part}${suffix}`));
      const options = metadata.find((m) => m.name === pluginName)?.options;
      if (options) {
        known.push(
          ...knownVariables([
            { title: '', entries: describeOptions(options as new () => object, spec.optionPrefix(pluginName)) },
          ]),
        );
      }
    }
  }
  for (const unknown of findUnknownVariables(env, known)) warn(describeUnknownVariable(unknown));
}
