import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Backends } from '../backends/backends.service.js';
import { PluginRegistry } from './plugin-registry.service.js';
import { PluginsConfigurableModule } from './plugins.module-definition.js';

/** The registry of plugin factories and the backend instances made from them. */
@Module({
  imports: [DiscoveryModule],
  providers: [PluginRegistry, Backends],
  exports: [Backends, PluginRegistry],
})
export class PluginsModule extends PluginsConfigurableModule {}
