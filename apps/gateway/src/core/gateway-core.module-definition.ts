import type { BackendSpec } from '../backends/backend-config.js';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { GatewayOptions } from '../config/gateway.options.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

/** What the composition root (bootstrap) hands the Nest container. */
/** A backend instance from configuration, its plugin resolved to a registered name. */
export interface ConfiguredBackend {
  spec: BackendSpec;
  pluginName: string;
}

export interface GatewayCoreModuleOptions {
  options: GatewayOptions;
  /** The backend instances to run, each with the registered name of its plugin (resolved from a name, package or path). */
  backends: ConfiguredBackend[];
  /** The environment plugin options are read from. */
  env: NodeJS.ProcessEnv;
  registry: Registry;
  redactor: SecretRedactor;
}

export const { ConfigurableModuleClass: GatewayCoreConfigurableModule, MODULE_OPTIONS_TOKEN: GATEWAY_CORE_OPTIONS } =
  new ConfigurableModuleBuilder<GatewayCoreModuleOptions>().setClassMethodName('forRoot').build();
