import 'reflect-metadata';

import { Injectable, Module, type DynamicModule, type Type } from '@nestjs/common';
import type { DnsPluginFactory } from '../contract/dns-plugin.interface.js';
import { PLUGIN_API_VERSION } from '../version.js';

/**
 * A string, not a symbol: a plugin package built against another copy of the
 * SDK must still be found by the gateway's registry.
 */
export const DNSGATE_PLUGIN_METADATA = 'dnsgate:plugin';

export interface DnsgatePluginOptions {
  /** Lower case letters, digits and dashes; selects the plugin in `DNSGATE_PLUGIN`. */
  name: string;
  /** One line for the boot log and the "available plugins" list. */
  description: string;
  /**
   * The plugin's options class: class-validator rules plus `@PluginOption`
   * on each property. Filled from `DNSGATE_<NAME>_<OPTION>`.
   */
  options?: Type<object>;
}

export interface DnsgatePluginMetadata extends DnsgatePluginOptions {
  /** The SDK plugin API version the plugin was compiled against. */
  apiVersion: number;
}

const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Marks a `DnsPluginFactory` so the gateway's registry discovers it among
 * the providers of any imported module.
 */
export function DnsgatePlugin(options: DnsgatePluginOptions): ClassDecorator {
  if (!PLUGIN_NAME.test(options.name)) {
    throw new Error(
      `plugin name ${JSON.stringify(options.name)} must start with a letter and hold only a-z, 0-9 and "-"`,
    );
  }
  const metadata: DnsgatePluginMetadata = { ...options, apiVersion: PLUGIN_API_VERSION };
  return (target) => {
    Reflect.defineMetadata(DNSGATE_PLUGIN_METADATA, metadata, target);
    Injectable()(target);
  };
}

export function getPluginMetadata(target: unknown): DnsgatePluginMetadata | undefined {
  if (typeof target !== 'function') return undefined;
  return Reflect.getMetadata(DNSGATE_PLUGIN_METADATA, target) as DnsgatePluginMetadata | undefined;
}

/**
 * The Nest module a plugin package exports: it provides the factory, which
 * is all the registry needs to find it.
 */
export function createPluginModule(factory: Type<DnsPluginFactory<never>>): DynamicModule {
  const metadata = getPluginMetadata(factory);
  if (!metadata) throw new Error(`${factory.name} is not decorated with @DnsgatePlugin`);
  @Module({})
  class DnsgatePluginModule {}
  Object.defineProperty(DnsgatePluginModule, 'name', { value: `${factory.name}Module` });
  return { module: DnsgatePluginModule, providers: [factory], exports: [factory] };
}
