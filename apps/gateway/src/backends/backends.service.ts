import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  BatchIncompleteError,
  ChangeRejectedError,
  DeadlineExceededError,
  PluginNotReadyError,
  createPluginMetrics,
  emptyChanges,
  getDeclaredOptions,
  isDnsgateError,
  loadPluginOptions,
  mergeReports,
  reportNotApplied,
  type BatchReport,
  type Changes,
  type Deadline,
  type DnsgateError,
  type Endpoint,
  type NotAppliedReason,
  type PluginContext,
} from '@dnsgate/plugin-sdk';
import { CONFIGURED_BACKENDS, PLUGIN_ENV } from '../core/gateway-core.module.js';
import type { ConfiguredBackend } from '../core/gateway-core.module-definition.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { PluginRegistry } from '../plugins/plugin-registry.service.js';
import { ZoneRouter } from './backend-config.js';
import { BackendInstance } from './backend-instance.js';
import type { BackendRead, RecordsReadOptions } from './backend-read.js';

/** One line of `/readyz`. */
export interface InstanceReadiness {
  plugin: string;
  instance: string;
  ready: boolean;
  reason?: string;
  dryRun?: boolean;
}

interface Running {
  instance: BackendInstance;
  /** The zones it owns from configuration; undefined: ask the plugin (the single-backend form). */
  zones?: readonly string[];
}

/**
 * The running backend instances, held by name, and the routing between
 * them: each name goes to the instance owning the longest zone it is within.
 * Created at boot (bad options stop the boot before any port opens), started
 * once the webhook port listens, stopped on shutdown. With one instance
 * (DNSGATE_PLUGIN), every call goes straight to it.
 */
@Injectable()
export class Backends implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Backends');
  private readonly instances = new Map<string, Running>();

  constructor(
    private readonly registry: PluginRegistry,
    @Inject(CONFIGURED_BACKENDS) private readonly configured: ConfiguredBackend[],
    private readonly metrics: GatewayMetrics,
    private readonly redactor: SecretRedactor,
    @Inject(PLUGIN_ENV) private readonly env: NodeJS.ProcessEnv,
  ) {}

  onModuleInit(): void {
    for (const { spec, pluginName } of this.configured) {
      const registered = this.registry.get(pluginName);
      const { options: optionsClass, description } = registered.metadata;
      const prefix = spec.optionPrefix(pluginName);
      const loaded = optionsClass
        ? loadPluginOptions(optionsClass as new () => object, prefix, this.optionEnv(optionsClass, prefix, spec.zones))
        : { options: {}, secrets: [] };
      for (const secret of loaded.secrets) this.redactor.add(secret);
      const plugin = registered.factory.create(loaded.options, this.createContext(pluginName, spec.name, prefix));
      const instance = new BackendInstance(spec.name, pluginName, plugin, {
        metrics: this.metrics,
        redactor: this.redactor,
        dryRun: spec.dryRun,
        recordsCache: spec.recordsCache,
      });
      this.instances.set(spec.name, { instance, ...(spec.zones ? { zones: spec.zones } : {}) });
      const zones = spec.zones ? `, zones ${spec.zones.join(', ')}` : '';
      this.logger.log(
        spec.name === pluginName
          ? `plugin "${pluginName}" selected: ${description}`
          : `backend "${spec.name}": plugin "${pluginName}" (${description})${zones}`,
      );
    }
  }

  /** True once every instance has started, until shutdown. */
  get allRunning(): boolean {
    return this.all().every((instance) => instance.isRunning);
  }

  /** Why the instances that are not running are not, one clause each. */
  notRunningReason(): string {
    return this.all()
      .filter((instance) => !instance.isRunning)
      .map((instance) => instance.notRunningReason())
      .join('; ');
  }

  all(): BackendInstance[] {
    return [...this.instances.values()].map((running) => running.instance);
  }

  startInBackground(): void {
    for (const instance of this.all()) instance.startInBackground();
  }

  async whenStarted(timeoutMs: number): Promise<void> {
    await Promise.all(this.all().map((instance) => instance.whenStarted(timeoutMs)));
  }

  /** Every instance's readiness, each named, CoreDNS-style. */
  readiness(): Promise<InstanceReadiness[]> {
    return Promise.all(
      this.all().map(async (instance) => {
        const readiness = await instance.readiness();
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

  /** The union of the instances' zones: from configuration where given, else from the plugin. */
  async zones(): Promise<string[]> {
    const owned = await this.ownedZones();
    return owned.flatMap(([, zones]) => zones);
  }

  /**
   * Every instance's records, read at once. One instance failing fails the
   * whole read, naming it: a partial list would make ExternalDNS plan the
   * deletion of everything the failed backend holds.
   */
  async records(zones: readonly string[], deadline: Deadline, how: RecordsReadOptions): Promise<BackendRead[]> {
    const single = this.single();
    if (single) return single.records(zones, deadline, how);
    const router = new ZoneRouter(await this.ownedZones());
    const byInstance = groupBy(zones, (zone) => router.ownerOf(zone));
    const results = await Promise.allSettled(
      [...byInstance].map(([instance, own]) => instance.records(own, deadline, how)),
    );
    const failures: Array<{ instance: BackendInstance; error: unknown }> = [];
    const reads: BackendRead[] = [];
    [...byInstance.keys()].forEach((instance, index) => {
      const result = results[index]!;
      if (result.status === 'rejected') failures.push({ instance, error: result.reason });
      else reads.push(...result.value);
    });
    if (failures.length > 0) throw combineFailures('Records', failures);
    return reads;
  }

  /** AdjustEndpoints per instance; the results concatenated in the order of DNSGATE_BACKENDS. */
  async adjust(endpoints: readonly Endpoint[], zones: readonly string[]): Promise<Endpoint[]> {
    const single = this.single();
    if (single) return single.adjust(endpoints, zones);
    const router = new ZoneRouter(await this.ownedZones());
    const byInstance = groupBy(endpoints, (endpoint) => router.ownerOf(endpoint.dnsName));
    const zonesOf = groupBy(zones, (zone) => router.ownerOf(zone));
    const adjusted = await Promise.all(
      [...byInstance].map(([instance, own]) => instance.adjust(own, zonesOf.get(instance) ?? [])),
    );
    return adjusted.flat();
  }

  /**
   * ApplyChanges split by instance and applied at once under the one
   * deadline: a down instance never stops the others from converging. One
   * report names, per instance, every change that did not land.
   */
  async apply(changes: Changes, zones: readonly string[], deadline: Deadline): Promise<BatchReport> {
    const single = this.single();
    if (single) return single.apply(changes, zones, deadline);
    const router = new ZoneRouter(await this.ownedZones());
    const split = new Map<BackendInstance, Changes>();
    const into = (name: string): Changes | undefined => {
      const owner = router.ownerOf(name);
      if (!owner) return undefined;
      let part = split.get(owner);
      if (!part) split.set(owner, (part = emptyChanges()));
      return part;
    };
    for (const endpoint of changes.create) into(endpoint.dnsName)?.create.push(endpoint);
    for (const endpoint of changes.delete) into(endpoint.dnsName)?.delete.push(endpoint);
    changes.updateNew.forEach((next, index) => {
      const part = into(next.dnsName);
      part?.updateOld.push(changes.updateOld[index]!);
      part?.updateNew.push(next);
    });
    const zonesOf = groupBy(zones, (zone) => router.ownerOf(zone));
    const reports = await Promise.all(
      [...split].map(async ([instance, part]) => ({
        instance: instance.name,
        report: await instance.apply(part, zonesOf.get(instance) ?? [], deadline).catch((error: unknown) => {
          if (error instanceof BatchIncompleteError) return error.report;
          return reportNotApplied(part, reasonOf(error), (error as Error).message, instance.dryRun);
        }),
      })),
    );
    const merged = mergeReports(reports);
    if (!merged.complete) throw new BatchIncompleteError(merged);
    return merged;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((instance) => instance.stop()));
  }

  /** The instance when there is only one (the single-backend form): then calls go straight to it. */
  private single(): BackendInstance | undefined {
    if (this.instances.size !== 1) return undefined;
    return this.instances.values().next().value!.instance;
  }

  /** Each instance with its zones: from configuration where given, else asked of the plugin. */
  async ownedZones(): Promise<Array<readonly [BackendInstance, readonly string[]]>> {
    return Promise.all(
      [...this.instances.values()].map(
        async ({ instance, zones }) => [instance, zones ?? (await instance.zones())] as const,
      ),
    );
  }

  /**
   * The environment the plugin's options are read from: an instance's zones
   * (DNSGATE_BACKEND_<NAME>_ZONES) fill the plugin's own `zones` option when
   * it has one and it is not set, so a zone is configured once.
   */
  private optionEnv(optionsClass: Function, prefix: string, zones?: readonly string[]): NodeJS.ProcessEnv {
    const hasZones = getDeclaredOptions(optionsClass).some((option) => option.env === 'ZONES');
    if (!zones || !hasZones || this.env[`${prefix}ZONES`] !== undefined) return this.env;
    return { ...this.env, [`${prefix}ZONES`]: zones.join(',') };
  }

  private createContext(pluginName: string, instanceName: string, optionPrefix: string): PluginContext {
    const logger = new Logger(pluginName === instanceName ? `plugin:${pluginName}` : `backend:${instanceName}`);
    return {
      pluginName,
      instanceName,
      optionPrefix,
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

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K | undefined): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const REASON_OF_KIND: Record<string, NotAppliedReason> = {
  unavailable: 'unavailable',
  timeout: 'timeout',
  backend: 'backend',
  not_ready: 'not_ready',
  deadline: 'deadline',
};

function reasonOf(error: unknown): NotAppliedReason {
  return isDnsgateError(error) ? (REASON_OF_KIND[error.kind] ?? 'backend') : 'backend';
}

const ERROR_OF_KIND: Record<string, new (message: string, options?: { cause?: unknown }) => DnsgateError> = {
  unavailable: BackendUnavailableError,
  not_ready: PluginNotReadyError,
  timeout: BackendTimeoutError,
  deadline: DeadlineExceededError,
  backend: BackendError,
  rejected: ChangeRejectedError,
};

/** One error naming every instance that failed, of the first failure's kind (a timeout stays a 504). */
function combineFailures(what: string, failures: Array<{ instance: BackendInstance; error: unknown }>): DnsgateError {
  const message = `${what} failed on ${failures.length === 1 ? 'backend' : 'backends'} ${failures
    .map(({ instance, error }) => `"${instance.name}" (${(error as Error).message})`)
    .join('; ')}`;
  const first = failures[0]!.error;
  const Kind = isDnsgateError(first) ? (ERROR_OF_KIND[first.kind] ?? BackendError) : BackendError;
  return new Kind(message, { cause: first });
}
