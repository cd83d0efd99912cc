import { Global, Module } from '@nestjs/common';
import { GatewayOptions } from '../config/gateway.options.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import {
  GATEWAY_CORE_OPTIONS,
  GatewayCoreConfigurableModule,
  type GatewayCoreModuleOptions,
} from './gateway-core.module-definition.js';

export const PLUGIN_ENV = Symbol('PLUGIN_ENV');
export const CONFIGURED_BACKENDS = Symbol('CONFIGURED_BACKENDS');

/** The process-wide pieces every other module reads: settings, metrics, the redactor. */
@Global()
@Module({
  providers: [
    {
      provide: GatewayOptions,
      useFactory: (core: GatewayCoreModuleOptions) => core.options,
      inject: [GATEWAY_CORE_OPTIONS],
    },
    {
      provide: GatewayMetrics,
      useFactory: (core: GatewayCoreModuleOptions) => new GatewayMetrics(core.registry),
      inject: [GATEWAY_CORE_OPTIONS],
    },
    {
      provide: SecretRedactor,
      useFactory: (core: GatewayCoreModuleOptions) => core.redactor,
      inject: [GATEWAY_CORE_OPTIONS],
    },
    {
      provide: PLUGIN_ENV,
      useFactory: (core: GatewayCoreModuleOptions) => core.env,
      inject: [GATEWAY_CORE_OPTIONS],
    },
    {
      provide: CONFIGURED_BACKENDS,
      useFactory: (core: GatewayCoreModuleOptions) => core.backends,
      inject: [GATEWAY_CORE_OPTIONS],
    },
  ],
  exports: [GatewayOptions, GatewayMetrics, SecretRedactor, PLUGIN_ENV, CONFIGURED_BACKENDS],
})
export class GatewayCoreModule extends GatewayCoreConfigurableModule {}
