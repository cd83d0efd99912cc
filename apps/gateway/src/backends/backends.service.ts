import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  createPluginMetrics,
  loadPluginOptions,
  pluginEnvPrefix,
  type BatchReport,
  type Changes,
  type Deadline,
  type Endpoint,
  type PluginContext,
  type Readiness,
} from '@dnsgate/plugin-sdk';
import { GatewayOptions } from '../config/gateway.options.js';
import { PLUGIN_ENV, SELECTED_PLUGIN } from '../core/gateway-core.module.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { PluginRegistry } from '../plugins/plugin-registry.service.js';
import { BackendInstance } from './backend-instance.js';

/** One line of `/readyz`. */
export interface InstanceReadiness {
  plugin: string;
  instance: string;
  ready: boolean;
  reason?: string;
  dryRun?: boolean;
}

/**
 * The running backend instances, held by name. Created at boot (so bad
 * options stop the boot before any port opens), started once the webhook
 * port listens, stopped on shutdown. Today one instance, named after its
 * plugin (DNSGATE_PLUGIN).
 */
@Injectable()
export class Backends implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Backends');
  private readonly instances = new Map<string, BackendInstance>();

  constructor(
    private readonly registry: PluginRegistry,
    @Inject(SELECTED_PLUGIN) private readonly selectedPlugin: string,
    private readonly options: GatewayOptions,
    private readonly metrics: GatewayMetrics,
    private readonly redactor: SecretRedactor,
    @Inject(PLUGIN_ENV) private readonly env: NodeJS.ProcessEnv,
  ) {}

  onModuleInit(): void {
    const registered = this.registry.get(this.selectedPlugin);
    const { name, options: optionsClass, description } = registered.metadata;
    const loaded = optionsClass
      ? loadPluginOptions(optionsClass as new () => object, pluginEnvPrefix(name), this.env)
      : { options: {}, secrets: [] };
    for (const secret of loaded.secrets) this.redactor.add(secret);
    const plugin = registered.factory.create(loaded.options, this.createContext(name, name));
    this.instances.set(
      name,
      new BackendInstance(name, name, plugin, {
        metrics: this.metrics,
        redactor: this.redactor,
        dryRun: this.options.dryRun,
      }),
    );
    this.logger.log(`plugin "${name}" selected: ${description}`);
  }

  /** The only instance: the single-backend configuration. */
  get single(): BackendInstance {
    return this.instances.values().next().value!;
  }

  all(): BackendInstance[] {
    return [...this.instances.values()];
  }

  startInBackground(): void {
    for (const instance of this.instances.values()) instance.startInBackground();
  }

  async whenStarted(timeoutMs: number): Promise<void> {
    await Promise.all(this.all().map((instance) => instance.whenStarted(timeoutMs)));
  }

  /** Every instance's readiness, each named, CoreDNS-style. */
  async readiness(): Promise<InstanceReadiness[]> {
    return Promise.all(
      this.all().map(async (instance) => {
        const readiness: Readiness = await instance.readiness();
        return {
          plugin: instance.pluginName,
          instance: instance.name,
          ready: readiness.ready,
          ...(readiness.ready ? {} : { reason: readiness.reason }),
          ...(instance.dryRun ? { dryRun: true } : {}),
        };
      }),
    );
  }

  zones(): Promise<string[]> {
    return this.single.zones();
  }

  records(zones: readonly string[], deadline: Deadline): Promise<Endpoint[]> {
    return this.single.records(zones, deadline);
  }

  adjust(endpoints: readonly Endpoint[], zones: readonly string[]): Promise<Endpoint[]> {
    return this.single.adjust(endpoints, zones);
  }

  apply(changes: Changes, zones: readonly string[], deadline: Deadline): Promise<BatchReport> {
    return this.single.apply(changes, zones, deadline);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((instance) => instance.stop()));
  }

  private createContext(pluginName: string, instanceName: string): PluginContext {
    const logger = new Logger(pluginName === instanceName ? `plugin:${pluginName}` : `backend:${instanceName}`);
    return {
      pluginName,
      instanceName,
      metrics: createPluginMetrics(this.metrics.registry, pluginName),
      logger: {
        debug: (message) => logger.debug(message),
        log: (message) => logger.log(message),
        warn: (message) => logger.warn(message),
        error: (message) => logger.error(message),
      },
    };
  }
}
