import { isIPv4, isIPv6 } from 'node:net';
import {
  BackendUnavailableError,
  DnsgatePlugin,
  PluginOption,
  GroupRefusedError,
  createPluginModule,
  endpointKey,
  isWithinDomain,
  normalizeDnsName,
  targetRuleProblem,
  zoneStateOfKeys,
  type ChangeGroup,
  type DnsPlugin,
  type DnsPluginFactory,
  type Endpoint,
  type PlannedChange,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordsRequest,
  type ZoneState,
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
  /** Every group written, in order. */
  writtenGroups: PlannedChange[][] = [];
  /** Names whose records the pretend backend refuses (as a server's integrity check would): a whole group with one is refused. */
  refusedNames = new Set<string>();
  /** Milliseconds each records() call waits, to outlast a deadline. */
  readDelayMs = 0;
  /**
   * On for the gateway tests, which plant a record outside the zones to
   * prove the gateway's own filter; the conformance suite turns it off,
   * since a conforming plugin reports only the zones it is asked for.
   */
  reportOutsideZones = true;
  /** Milliseconds each group write waits before it writes, to have a request in flight. */
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
    if (this.readDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.readDelayMs));
    const all = [...this.store.values()];
    if (this.reportOutsideZones) return all;
    return all.filter((endpoint) => request.zones.some((zone) => isWithinDomain(endpoint.dnsName, zone)));
  }

  checkRecord(endpoint: Endpoint): RecordCheck {
    this.maybeFail();
    if (endpoint.targets.length === 0) return { ok: false, reason: 'no_targets', problem: 'no targets' };
    const type = endpoint.recordType;
    const bad = endpoint.targets.find(
      (t) =>
        (type === 'A' && !isIPv4(t)) ||
        (type === 'AAAA' && !isIPv6(t)) ||
        targetRuleProblem(type, t, { checkNames: false }),
    );
    if (bad !== undefined) return { ok: false, reason: 'target', problem: `${type} cannot hold ${bad.slice(0, 40)}` };
    return { ok: true, endpoint: normalize(endpoint) };
  }

  async readZoneState(): Promise<ZoneState> {
    this.maybeFail();
    return zoneStateOfKeys(new Set(this.store.keys()));
  }

  async writeGroup(group: ChangeGroup): Promise<void> {
    this.maybeFail();
    if (this.applyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.applyDelayMs));
    const refused = group.changes.findIndex((c) => this.refusedNames.has((c.desired ?? c.current)!.dnsName));
    if (refused >= 0) throw new GroupRefusedError(`the memory backend refuses ${this.refusedNames.size} names`);
    this.writtenGroups.push([...group.changes]);
    for (const change of group.changes) {
      if (change.action === 'delete') this.store.delete(endpointKey(change.current!));
      else this.store.set(endpointKey(change.desired!), change.desired!);
    }
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
