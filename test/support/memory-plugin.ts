import {
  BackendUnavailableError,
  DnsgatePlugin,
  PluginOption,
  assertBatchApplicable,
  createPluginModule,
  endpointKey,
  isWithinDomain,
  normalizeDnsName,
  type Changes,
  type DnsPlugin,
  type DnsPluginFactory,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordsRequest,
} from '@dnsgate/plugin-sdk';
import { IsString } from 'class-validator';

/**
 * A plugin that keeps records in memory, with switches to make it fail, for
 * tests of the gateway itself (status codes, metrics, readiness). The real
 * backends are tested with their real servers elsewhere.
 */
export class MemoryPluginOptions {
  @PluginOption({ description: 'Zones served, comma separated' })
  @IsString({ each: true })
  zones: string[] = ['example.com'];

  @PluginOption({ description: 'A pretend secret, to test redaction', secret: true })
  @IsString()
  token = '';
}

export class MemoryPlugin implements DnsPlugin {
  readonly store = new Map<string, Endpoint>();
  failWith?: Error;
  startFailures = 0;
  ready: Readiness = { ready: true };
  appliedBatches: Changes[] = [];
  /**
   * On for the gateway tests, which plant a record outside the zones to
   * prove the gateway's own filter; the conformance suite turns it off,
   * since a conforming plugin reports only the zones it is asked for.
   */
  reportOutsideZones = true;
  /** Milliseconds each applyChanges waits before it writes, to have a request in flight. */
  applyDelayMs = 0;
  stopped = false;

  constructor(
    readonly options: MemoryPluginOptions,
    readonly context: PluginContext,
  ) {}

  async start(): Promise<void> {
    if (this.startFailures > 0) {
      this.startFailures--;
      throw new BackendUnavailableError('memory backend refused to start');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  async readiness(): Promise<Readiness> {
    return this.ready;
  }

  async zones(): Promise<string[]> {
    this.maybeFail();
    return this.options.zones;
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    this.maybeFail();
    const all = [...this.store.values()];
    if (this.reportOutsideZones) return all;
    return all.filter((endpoint) => request.zones.some((zone) => isWithinDomain(endpoint.dnsName, zone)));
  }

  async applyChanges(changes: Changes): Promise<void> {
    this.maybeFail();
    if (this.applyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.applyDelayMs));
    const normalized: Changes = {
      create: changes.create.map(normalize),
      updateOld: changes.updateOld.map(normalize),
      updateNew: changes.updateNew.map(normalize),
      delete: changes.delete.map(normalize),
    };
    assertBatchApplicable(normalized, new Set(this.store.keys()));
    this.appliedBatches.push(normalized);
    for (const endpoint of normalized.delete) this.store.delete(endpointKey(endpoint));
    for (const endpoint of [...normalized.create, ...normalized.updateNew])
      this.store.set(endpointKey(endpoint), endpoint);
  }

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    this.maybeFail();
    return endpoints.map(normalize);
  }

  private maybeFail(): void {
    if (this.failWith) throw this.failWith;
  }
}

function normalize(endpoint: Endpoint): Endpoint {
  return {
    ...endpoint,
    dnsName: normalizeDnsName(endpoint.dnsName),
    targets: [...endpoint.targets].sort(),
    recordTTL: endpoint.recordTTL || 300,
  };
}

@DnsgatePlugin({ name: 'memory', description: 'records in memory, for gateway tests', options: MemoryPluginOptions })
export class MemoryPluginFactory implements DnsPluginFactory<MemoryPluginOptions> {
  /** The instances created, so a test can reach into the one the gateway runs. */
  readonly instances: MemoryPlugin[] = [];

  create(options: MemoryPluginOptions, context: PluginContext): MemoryPlugin {
    const plugin = new MemoryPlugin(options, context);
    this.instances.push(plugin);
    return plugin;
  }
}

export const MemoryPluginModule = createPluginModule(MemoryPluginFactory);
