import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  PluginNotReadyError,
  createPluginMetrics,
  isDnsgateError,
  loadPluginOptions,
  pluginEnvPrefix,
  type Changes,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordsRequest,
} from '@dnsgate/plugin-sdk';
import { PLUGIN_ENV, SELECTED_PLUGIN } from '../core/gateway-core.module.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { PluginRegistry } from './plugin-registry.service.js';

type Operation = 'start' | 'stop' | 'zones' | 'records' | 'apply_changes' | 'adjust_endpoints' | 'readiness';

const START_RETRY_FIRST_MS = 1_000;
const START_RETRY_MAX_MS = 30_000;

/**
 * Runs the selected plugin: creates it at boot (so bad options stop the boot
 * before any port opens), starts it once the webhook port listens (retrying
 * while the backend is unreachable), measures every call, and stops it on
 * shutdown. Today it holds one instance; the zone router that will hold
 * several is a layer above it.
 */
@Injectable()
export class PluginHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PluginHost');
  private plugin?: DnsPlugin;
  private pluginName = '';
  private state: 'created' | 'starting' | 'running' | 'stopped' = 'created';
  private lastStartError = 'not started yet';
  private retryTimer?: NodeJS.Timeout;
  private startAttempt?: Promise<void>;

  constructor(
    private readonly registry: PluginRegistry,
    @Inject(SELECTED_PLUGIN) private readonly selectedPlugin: string,
    private readonly metrics: GatewayMetrics,
    private readonly redactor: SecretRedactor,
    @Inject(PLUGIN_ENV) private readonly env: NodeJS.ProcessEnv,
  ) {}

  get name(): string {
    return this.pluginName;
  }

  /** True once start() succeeded, until shutdown. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Why the plugin is not running (for answers that must say so). */
  get notRunningReason(): string {
    return this.notReadyReason();
  }

  /** Today the instance is named after its plugin. */
  get instanceName(): string {
    return this.pluginName;
  }

  onModuleInit(): void {
    const registered = this.registry.get(this.selectedPlugin);
    const { name, options: optionsClass } = registered.metadata;
    this.pluginName = name;
    const loaded = optionsClass
      ? loadPluginOptions(optionsClass as new () => object, pluginEnvPrefix(name), this.env)
      : { options: {}, secrets: [] };
    for (const secret of loaded.secrets) this.redactor.add(secret);
    this.plugin = registered.factory.create(loaded.options, this.createContext(name));
    this.metrics.pluginReady.set(this.labels(), 0);
    this.logger.log(`plugin "${name}" selected: ${registered.metadata.description}`);
  }

  /** Starts the plugin without blocking; retries with backoff until it succeeds or shutdown. */
  startInBackground(): void {
    if (this.state !== 'created') return;
    this.state = 'starting';
    this.attemptStart(START_RETRY_FIRST_MS);
  }

  /** Resolves once the plugin has started (for tests and for a start that must be awaited). */
  async whenStarted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'running') {
      if (Date.now() > deadline) throw new PluginNotReadyError(this.notReadyReason());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async readiness(): Promise<Readiness> {
    if (this.state !== 'running') return { ready: false, reason: this.notReadyReason() };
    try {
      const readiness = await this.required().readiness();
      this.metrics.pluginReady.set(this.labels(), readiness.ready ? 1 : 0);
      return readiness.ready ? readiness : { ready: false, reason: this.redactor.redact(readiness.reason) };
    } catch (error) {
      this.metrics.pluginReady.set(this.labels(), 0);
      return { ready: false, reason: this.redactor.redact(`readiness check failed: ${(error as Error).message}`) };
    }
  }

  /**
   * Asked before start succeeded too: a plugin whose zones are configured
   * answers at once, so ExternalDNS's negotiation succeeds while the backend
   * is still unreachable; one that must ask its backend throws, and the
   * client retries.
   */
  zones(): Promise<string[]> {
    if (this.state === 'stopped') return Promise.reject(new PluginNotReadyError(this.notReadyReason()));
    return this.measure('zones', () => this.required().zones());
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const endpoints = await this.call('records', (plugin) => plugin.records(request));
    this.metrics.pluginRecords.reset();
    const byType = new Map<string, number>();
    for (const endpoint of endpoints) byType.set(endpoint.recordType, (byType.get(endpoint.recordType) ?? 0) + 1);
    for (const [type, count] of byType) this.metrics.pluginRecords.set({ ...this.labels(), type }, count);
    return endpoints;
  }

  async applyChanges(changes: Changes): Promise<void> {
    await this.call('apply_changes', (plugin) => plugin.applyChanges(changes));
    const labels = this.labels();
    this.metrics.pluginChangesApplied.inc({ ...labels, action: 'create' }, changes.create.length);
    this.metrics.pluginChangesApplied.inc({ ...labels, action: 'update' }, changes.updateNew.length);
    this.metrics.pluginChangesApplied.inc({ ...labels, action: 'delete' }, changes.delete.length);
  }

  adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    return this.call('adjust_endpoints', (plugin) => plugin.adjustEndpoints(endpoints));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    await this.startAttempt?.catch(() => undefined);
    if ((wasRunning || this.startAttempt) && this.plugin?.stop) {
      await this.measure('stop', () => this.plugin!.stop!()).catch((error: Error) =>
        this.logger.warn(`plugin "${this.pluginName}" did not stop cleanly: ${error.message}`),
      );
    }
    this.metrics.pluginReady.set(this.labels(), 0);
  }

  private attemptStart(nextDelayMs: number): void {
    const plugin = this.required();
    this.startAttempt = this.measure('start', async () => {
      await plugin.start?.();
    })
      .then(() => {
        if (this.state !== 'starting') return;
        this.state = 'running';
        this.metrics.pluginReady.set(this.labels(), 1);
        this.logger.log(`plugin "${this.pluginName}" started`);
      })
      .catch((error: Error) => {
        if (this.state !== 'starting') return;
        this.lastStartError = error.message;
        this.logger.warn(
          `plugin "${this.pluginName}" could not start: ${error.message}; retrying in ${Math.round(nextDelayMs / 1000)} s`,
        );
        this.retryTimer = setTimeout(
          () => this.attemptStart(Math.min(nextDelayMs * 2, START_RETRY_MAX_MS)),
          nextDelayMs,
        );
        this.retryTimer.unref();
      });
  }

  private notReadyReason(): string {
    if (this.state === 'stopped') return `plugin "${this.pluginName}" is shutting down`;
    return this.redactor.redact(`plugin "${this.pluginName}" has not started: ${this.lastStartError}`);
  }

  private async call<T>(operation: Operation, fn: (plugin: DnsPlugin) => Promise<T>): Promise<T> {
    if (this.state !== 'running') throw new PluginNotReadyError(this.notReadyReason());
    return this.measure(operation, () => fn(this.required()));
  }

  private async measure<T>(operation: Operation, fn: () => Promise<T>): Promise<T> {
    const end = this.metrics.pluginOperationDuration.startTimer({ ...this.labels(), operation });
    try {
      return await fn();
    } catch (error) {
      const kind = isDnsgateError(error) ? error.kind : 'internal';
      this.metrics.pluginOperationErrors.inc({ ...this.labels(), operation, kind });
      throw error;
    } finally {
      end();
    }
  }

  private required(): DnsPlugin {
    if (!this.plugin) throw new PluginNotReadyError('no plugin was created');
    return this.plugin;
  }

  private labels(): { plugin: string; instance: string } {
    return { plugin: this.pluginName, instance: this.instanceName };
  }

  private createContext(name: string): PluginContext {
    const logger = new Logger(`plugin:${name}`);
    return {
      pluginName: name,
      instanceName: name,
      metrics: createPluginMetrics(this.metrics.registry, name),
      logger: {
        debug: (message) => logger.debug(message),
        log: (message) => logger.log(message),
        warn: (message) => logger.warn(message),
        error: (message) => logger.error(message),
      },
    };
  }
}
