import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { GatewayOptions } from '../config/gateway.options.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

/** What the composition root (bootstrap) hands the Nest container. */
export interface GatewayCoreModuleOptions {
  options: GatewayOptions;
  /** The registered name of the plugin to run (DNSGATE_PLUGIN may have named a package or path). */
  selectedPlugin: string;
  /** The environment plugin options are read from. */
  env: NodeJS.ProcessEnv;
  registry: Registry;
  redactor: SecretRedactor;
}

export const { ConfigurableModuleClass: GatewayCoreConfigurableModule, MODULE_OPTIONS_TOKEN: GATEWAY_CORE_OPTIONS } =
  new ConfigurableModuleBuilder<GatewayCoreModuleOptions>().setClassMethodName('forRoot').build();
