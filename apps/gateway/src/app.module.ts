import { Module, type DynamicModule } from '@nestjs/common';
import { GatewayCoreModule } from './core/gateway-core.module.js';
import type { GatewayCoreModuleOptions } from './core/gateway-core.module-definition.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { WebhookModule } from './webhook/webhook.module.js';

export interface AppModuleOptions extends GatewayCoreModuleOptions {
  /** Every plugin module to offer: the built-ins and any loaded package. */
  plugins: DynamicModule[];
}

@Module({})
export class AppModule {
  static forRoot({ plugins, ...core }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [GatewayCoreModule.forRoot(core), PluginsModule.forRoot({ plugins }), WebhookModule],
    };
  }
}
