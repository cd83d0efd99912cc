import type { DynamicModule } from '@nestjs/common';
import {
  getDeclaredOptions,
  pluginEnvPrefix,
  resolveOptionType,
  type DnsgatePluginMetadata,
} from '@dnsgate/plugin-sdk';
import { GatewayOptions } from '../config/gateway.options.js';
import { pluginMetadataOfProvider } from '../plugins/plugin-loader.js';

export const GATEWAY_ENV_PREFIX = 'DNSGATE_';

/** One settable variable, described from its `@PluginOption` declaration. */
export interface CatalogEntry {
  variable: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  /** The class's default, as an operator would write it; '' when there is none. */
  defaultValue: string;
  description: string;
  /** Also settable as `<variable>_FILE`, and never printed. */
  secret: boolean;
}

/** The variables of one options class (the gateway's, or one plugin's). */
export interface CatalogSection {
  title: string;
  entries: CatalogEntry[];
}

/**
 * Reads the same declarations the options loader validates, so `--help`,
 * the unknown-variable warning and the loader can never disagree.
 */
export function describeOptions(optionsClass: new () => object, prefix: string): CatalogEntry[] {
  const defaults = new optionsClass() as Record<string, unknown>;
  return getDeclaredOptions(optionsClass).map((option) => {
    const defaultValue = defaults[option.property];
    return {
      variable: prefix + option.env,
      type: resolveOptionType(option, defaultValue),
      defaultValue: option.secret ? '' : formatDefault(defaultValue),
      description: option.description,
      secret: option.secret === true,
    };
  });
}

export function gatewaySection(): CatalogSection {
  return { title: 'dnsgate', entries: describeOptions(GatewayOptions, GATEWAY_ENV_PREFIX) };
}

export function pluginSection(metadata: DnsgatePluginMetadata): CatalogSection {
  const entries = metadata.options
    ? describeOptions(metadata.options as new () => object, pluginEnvPrefix(metadata.name))
    : [];
  return { title: `plugin "${metadata.name}": ${metadata.description}`, entries };
}

/** The `@DnsgatePlugin` metadata of every factory the modules provide. */
export function pluginsOfModules(modules: DynamicModule[]): DnsgatePluginMetadata[] {
  return modules.flatMap((module) => (module.providers ?? []).flatMap((p) => pluginMetadataOfProvider(p) ?? []));
}

/** Every variable name the sections declare, with `_FILE` for each secret. */
export function knownVariables(sections: CatalogSection[]): string[] {
  return sections.flatMap((section) =>
    section.entries.flatMap((entry) => (entry.secret ? [entry.variable, `${entry.variable}_FILE`] : [entry.variable])),
  );
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined || value === null) return '';
  return String(value);
}
