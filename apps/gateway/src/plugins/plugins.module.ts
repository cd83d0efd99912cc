import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PluginHost } from './plugin-host.service.js';
import { PluginRegistry } from './plugin-registry.service.js';
import { PluginsConfigurableModule } from './plugins.module-definition.js';

/** The registry of plugin factories and the host that runs the selected one. */
@Module({
  imports: [DiscoveryModule],
  providers: [PluginRegistry, PluginHost],
  exports: [PluginHost, PluginRegistry],
})
export class PluginsModule extends PluginsConfigurableModule {}
