import { Injectable, Logger, type Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import {
  ConfigError,
  PLUGIN_API_CHANGES,
  PLUGIN_API_VERSION,
  getPluginMetadata,
  type DnsPluginFactory,
  type DnsgatePluginMetadata,
} from '@dnsgate/plugin-sdk';

export interface RegisteredPlugin {
  metadata: DnsgatePluginMetadata;
  factory: DnsPluginFactory<object>;
  factoryClass: Type<unknown>;
}

/**
 * Finds every `@DnsgatePlugin` factory among the providers of the imported
 * plugin modules. Built-in and third-party plugins are found the same way:
 * the gateway never names a plugin in code.
 */
@Injectable()
export class PluginRegistry {
  private readonly logger = new Logger('PluginRegistry');
  private plugins?: Map<string, RegisteredPlugin>;

  constructor(private readonly discovery: DiscoveryService) {}

  all(): RegisteredPlugin[] {
    return [...this.discover().values()];
  }

  /** The plugin named `name`, or a boot error that lists the ones there are. */
  get(name: string): RegisteredPlugin {
    const plugin = this.discover().get(name);
    if (!plugin) {
      const available = this.all()
        .map((p) => `${p.metadata.name} (${p.metadata.description})`)
        .join(', ');
      throw new ConfigError('dnsgate', [
        `DNSGATE_PLUGIN: no plugin named "${name}"; available: ${available || 'none'}`,
      ]);
    }
    return plugin;
  }

  private discover(): Map<string, RegisteredPlugin> {
    if (this.plugins) return this.plugins;
    const found = new Map<string, RegisteredPlugin>();
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      // A factory given as a value or made by a factory provider has no metatype; its class still carries the metadata.
      const instance = wrapper.instance as object | undefined;
      const factoryClass = (instance?.constructor ?? wrapper.metatype) as Type<unknown> | undefined;
      const metadata = getPluginMetadata(factoryClass);
      if (!metadata || !instance || !factoryClass) continue;
      const existing = found.get(metadata.name);
      if (existing) {
        // One module imported twice yields the same class twice: that is not a clash.
        if (existing.factoryClass !== factoryClass) {
          problems.push(
            `two plugins are named "${metadata.name}": ${existing.factoryClass.name} and ${factoryClass.name}; rename one`,
          );
        }
        continue;
      }
      if (metadata.apiVersion !== PLUGIN_API_VERSION) {
        problems.push(
          `plugin "${metadata.name}" was built for plugin API ${metadata.apiVersion}, this dnsgate speaks ${PLUGIN_API_VERSION}: ${PLUGIN_API_CHANGES[PLUGIN_API_VERSION] ?? 'rebuild it against the matching @dnsgate/plugin-sdk'}`,
        );
        continue;
      }
      if (typeof (wrapper.instance as DnsPluginFactory).create !== 'function') {
        problems.push(`plugin "${metadata.name}": ${factoryClass.name} has no create(options, context) method`);
        continue;
      }
      found.set(metadata.name, { metadata, factory: wrapper.instance as DnsPluginFactory<object>, factoryClass });
    }
    if (problems.length > 0) throw new ConfigError('dnsgate plugins', problems);
    this.logger.debug(`plugins available: ${[...found.keys()].join(', ')}`);
    this.plugins = found;
    return found;
  }
}
