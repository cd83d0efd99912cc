import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';

export interface PluginsModuleOptions {
  /** Names of the modules given, for the boot log. */
  sources?: string[];
}

/**
 * `PluginsModule.forRoot({}, { plugins: [FilePluginModule, …] })`: the
 * plugin modules are imported so that their factories become providers the
 * registry can discover.
 */
export const { ConfigurableModuleClass: PluginsConfigurableModule, MODULE_OPTIONS_TOKEN: PLUGINS_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<PluginsModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ plugins: [] as DynamicModule[] }, (definition, extras) => ({
      ...definition,
      global: true,
      imports: [...(definition.imports ?? []), ...extras.plugins],
    }))
    .build();
