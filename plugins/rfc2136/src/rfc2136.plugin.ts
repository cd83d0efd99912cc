import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  ChangeRejectedError,
  PluginConfigError,
  countChanges,
  isDnsgateError,
  normalizeDnsName,
  type Changes,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordsRequest,
} from '@dnsgate/plugin-sdk';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { isPrerequisiteFailure, rcodeMeaning, rcodeName } from './dns/dns-constants.js';
import { MalformedMessageError } from './dns/dns-message.reader.js';
import { TsigKey } from './dns/tsig.signer.js';
import { buildUpdateMessage } from './dns/update-message.builder.js';
import {
  batchUnits,
  findConflicts,
  planUpdates,
  type ChangeAction,
  type ChangeUnit,
  type UpdatePlan,
} from './changes/update-planner.js';
import { adjustEndpoints, type NormalizerSettings } from './records/endpoint-normalizer.js';
import { ZoneRecordsCollector } from './records/zone-records.collector.js';
import type { Rfc2136Options } from './rfc2136.options.js';
import {
  AllHostsFailedError,
  DnsConnectionError,
  DnsRcodeError,
  DnsTimeoutError,
  DnsTransport,
  TsigVerificationError,
} from './transport/dns-transport.js';
import { HostSelector, parseHost, type DnsHost } from './transport/host-selector.js';
import type { DnsTcpConnection } from './dns/dns-tcp.connection.js';

interface Metrics {
  requests: Counter<'instance' | 'operation' | 'server' | 'outcome'>;
  duration: Histogram<'instance' | 'operation'>;
  changes: Counter<'instance' | 'action' | 'outcome'>;
  dropped: Counter<'instance' | 'reason'>;
  zoneRecords: Gauge<'instance' | 'zone'>;
}

interface BatchFailure {
  zone: string;
  units: ChangeUnit[];
  error: Error;
}

/** How many zones are transferred or updated at the same time. */
const ZONE_CONCURRENCY = 4;

/** UPDATE messages in flight on one connection; the server still applies them in order. */
const PIPELINE_WINDOW = 4;

/** How often readiness looks at the servers again while an operation has found none reachable. */
const REPROBE_INTERVAL_MS = 1_000;

/**
 * The `rfc2136` backend: records by a TSIG-signed AXFR per zone, changes by
 * TSIG-signed DNS UPDATE messages over TCP, on any server that takes RFC 2136
 * updates.
 */
export class Rfc2136Plugin implements DnsPlugin {
  private readonly zoneList: string[];
  private readonly settings: NormalizerSettings;
  private readonly updateKey?: TsigKey;
  private readonly transferKey?: TsigKey;
  private readonly transport: DnsTransport;
  private readonly metrics: Metrics;
  private readonly instance: string;
  private state: Readiness = { ready: false, reason: 'not started: the servers have not been probed yet' };
  private started = false;
  /** The batch being applied (and those queued behind it): one at a time. */
  private applying: Promise<void> = Promise.resolve();
  private reprobe?: Promise<void>;
  private lastReprobe = 0;

  constructor(
    private readonly options: Rfc2136Options,
    private readonly context: PluginContext,
  ) {
    const problems: string[] = [];
    const hosts: DnsHost[] = [];
    for (const text of options.hosts) {
      const host = parseHost(text);
      if (host) hosts.push(host);
      else problems.push(`DNSGATE_RFC2136_HOSTS: ${JSON.stringify(text)} is not host[:port]`);
    }
    if (hosts.length === 0 && problems.length === 0) problems.push('DNSGATE_RFC2136_HOSTS: name at least one server');
    this.zoneList = [...new Set(options.zones.map(normalizeDnsName).filter((z) => z !== '' && z !== '.'))];
    if (this.zoneList.length === 0) problems.push('DNSGATE_RFC2136_ZONES: name at least one zone');
    try {
      if (!options.insecure) {
        if (!options.tsigKeyname || !options.tsigSecret) {
          problems.push(
            'set DNSGATE_RFC2136_TSIG_KEYNAME and DNSGATE_RFC2136_TSIG_SECRET, or DNSGATE_RFC2136_INSECURE=true',
          );
        } else {
          this.updateKey = new TsigKey(options.tsigKeyname, options.tsigSecret, options.tsigAlg);
        }
      }
      this.transferKey = options.axfrTsigKeyname
        ? new TsigKey(options.axfrTsigKeyname, options.axfrTsigSecret, options.axfrTsigAlg)
        : this.updateKey;
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (problems.length > 0) throw new PluginConfigError('rfc2136', problems);

    this.settings = { zones: this.zoneList, minTtl: options.minTtl, defaultTtl: options.defaultTtl };
    this.instance = context.instanceName;
    const m = context.metrics;
    this.metrics = {
      requests: m.counter({
        name: 'requests_total',
        help: 'DNS messages exchanged with the servers, by operation (update, axfr, query), server and outcome (ok, an rcode, timeout, unavailable, tsig)',
        labelNames: ['instance', 'operation', 'server', 'outcome'],
      }),
      duration: m.histogram({
        name: 'request_duration_seconds',
        help: 'Time for one UPDATE exchange, one whole AXFR or one query',
        labelNames: ['instance', 'operation'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
      }),
      changes: m.counter({
        name: 'changes_total',
        help: 'Endpoint changes by action (create, update, delete) and outcome (applied, failed)',
        labelNames: ['instance', 'action', 'outcome'],
      }),
      dropped: m.counter({
        name: 'endpoints_dropped_total',
        help: 'Endpoints (or targets) AdjustEndpoints dropped because the server cannot hold them, by reason',
        labelNames: ['instance', 'reason'],
      }),
      zoneRecords: m.gauge({
        name: 'zone_endpoints',
        help: 'Endpoints in each zone at the last read',
        labelNames: ['instance', 'zone'],
      }),
    };
    this.transport = new DnsTransport({
      selector: new HostSelector(hosts, options.loadBalancing),
      timeoutMs: Math.round(options.timeout * 1000),
      observe: (operation, server, outcome, seconds) => {
        this.metrics.requests.inc({ instance: this.instance, operation, server, outcome });
        if (seconds > 0) this.metrics.duration.observe({ instance: this.instance, operation }, seconds);
      },
    });
    const keyText = this.updateKey
      ? `TSIG key "${this.updateKey.name}" (${this.updateKey.algorithm})`
      : 'no TSIG (INSECURE)';
    const axfrText =
      this.transferKey && this.transferKey !== this.updateKey ? `, transfers with key "${this.transferKey.name}"` : '';
    context.logger.log(
      `rfc2136: zones ${this.zoneList.join(', ')} on ${hosts.map((h) => h.address).join(', ')} (${options.loadBalancing}), ${keyText}${axfrText}, batches of ${options.batchSize}`,
    );
  }

  /** Checks that a server answers authoritatively for every zone, with the update key. */
  async start(): Promise<void> {
    try {
      await this.probeAll();
      this.state = { ready: true };
      this.started = true;
    } catch (error) {
      const mapped = this.toPluginError(error, 'probing the servers');
      this.state = { ready: false, reason: mapped.message };
      throw mapped;
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.state = { ready: false, reason: 'stopped' };
  }

  /**
   * The state as the last operation left it. While an operation has found no
   * server, it also probes again in the background (at most once a second),
   * so readiness follows the servers back without waiting for traffic.
   */
  async readiness(): Promise<Readiness> {
    if (!this.state.ready && this.started && !this.reprobe && Date.now() - this.lastReprobe >= REPROBE_INTERVAL_MS) {
      this.lastReprobe = Date.now();
      this.reprobe = this.probeAll()
        .then(() => this.markReachable())
        .catch(() => undefined)
        .finally(() => {
          this.reprobe = undefined;
        });
    }
    return this.state;
  }

  private async probeAll(): Promise<void> {
    for (const zone of this.zoneList) await this.transport.probe(zone, this.updateKey);
  }

  async zones(): Promise<string[]> {
    return [...this.zoneList];
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const wanted = new Set(request.zones.map(normalizeDnsName));
    const zones = this.zoneList.filter((zone) => wanted.has(zone));
    const results = await mapLimited(zones, ZONE_CONCURRENCY, async (zone) => {
      try {
        return await this.readZone(zone);
      } catch (error) {
        throw this.toPluginError(error, `reading zone ${zone}`);
      }
    });
    this.markReachable();
    return results.flat();
  }

  /** One zone's endpoints, by AXFR. */
  private async readZone(zone: string): Promise<Endpoint[]> {
    return (await this.transferZone(zone, true)).endpoints();
  }

  /** The `endpointKey`s of one zone's endpoints, by AXFR, without decoding their targets. */
  private async readZoneKeys(zone: string): Promise<Set<string>> {
    return (await this.transferZone(zone, false)).keys();
  }

  private async transferZone(zone: string, withTargets: boolean): Promise<ZoneRecordsCollector> {
    const collector = new ZoneRecordsCollector(zone, this.zoneList, withTargets);
    await this.transport.transfer(zone, this.transferKey, (rr) => collector.add(rr));
    this.metrics.zoneRecords.set({ instance: this.instance, zone }, collector.size);
    return collector;
  }

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const result = adjustEndpoints(endpoints, this.settings);
    for (const drop of result.drops) {
      this.metrics.dropped.inc({ instance: this.instance, reason: drop.reason });
      this.context.logger.warn(`rfc2136: dropped ${drop.endpoint.recordType} ${drop.endpoint.dnsName}: ${drop.detail}`);
    }
    return result.endpoints;
  }

  /**
   * One batch at a time (a second waits for the first): each is checked
   * against the zones as they are and then sent, and another batch's UPDATEs
   * must not land in between.
   */
  async applyChanges(changes: Changes): Promise<void> {
    if (countChanges(changes) === 0) return;
    const run = this.applying.then(() => this.applyNow(changes));
    this.applying = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async applyNow(changes: Changes): Promise<void> {
    const plan = planUpdates(changes, this.settings);
    await this.checkAgainstZones(plan);
    const failures: BatchFailure[] = [];
    let applied = 0;
    await mapLimited([...plan.byZone], ZONE_CONCURRENCY, async ([zone, units]) => {
      const batches = batchUnits(units, this.options.batchSize, zone);
      await this.sendBatches(zone, batches, (batch, error) => {
        if (error) failures.push({ zone, units: batch, error });
        else applied += batch.length;
        this.countChanges(batch, error ? 'failed' : 'applied');
      });
    });
    this.countChanges(plan.unwritable, 'failed');

    const total = applied + plan.unwritable.length + failures.reduce((n, f) => n + f.units.length, 0);
    if (failures.length === 0 && plan.unwritable.length === 0) {
      this.context.logger.debug(`rfc2136: applied ${applied} changes`);
      this.markReachable();
      return;
    }
    const parts: string[] = [];
    for (const u of plan.unwritable) parts.push(`${u.description}: ${u.reason}`);
    for (const f of failures) parts.push(`zone ${f.zone}: ${describeUnits(f.units)}: ${f.error.message}`);
    const message = `${total - applied} of ${total} changes did not land (${applied} applied): ${parts.join('; ')}`;
    this.context.logger.warn(`rfc2136: ${message}`);
    throw this.failureError(failures, message);
  }

  /**
   * Reads (AXFR) every zone the batch writes to and rejects the whole batch,
   * before any UPDATE is sent, when a change does not fit what the zone holds
   * now: a create of a record set that exists, an update or a delete of one
   * that does not. The prerequisites in each UPDATE still guard against a
   * change made by someone else between this read and the write, but they
   * fail only their own message, and a batch spans several (one zone each,
   * at most BATCH_SIZE changes each).
   */
  private async checkAgainstZones(plan: UpdatePlan): Promise<void> {
    const units = [...plan.byZone.values()].flat();
    if (units.length === 0) return;
    const total = units.length + plan.unwritable.length;
    const notLanded = `${total} of ${total} changes did not land (0 applied, nothing was sent)`;
    const conflicts: string[] = [];
    try {
      await mapLimited([...plan.byZone], ZONE_CONCURRENCY, async ([zone, zoneUnits]) => {
        let existing: Set<string>;
        try {
          existing = await this.readZoneKeys(zone);
        } catch (error) {
          throw this.toPluginError(
            error,
            `${notLanded}: ${describeUnits(units)}: reading zone ${zone} to check the batch`,
          );
        }
        for (const { unit, rcode } of findConflicts(zoneUnits, existing)) {
          conflicts.push(`zone ${zone}: ${unit.description}: ${rcodeName(rcode)}: ${rcodeMeaning(rcode)}`);
        }
      });
    } catch (error) {
      this.countFailed(units, plan);
      this.context.logger.warn(`rfc2136: ${(error as Error).message}`);
      throw error;
    }
    this.markReachable();
    if (conflicts.length === 0) return;
    this.countFailed(units, plan);
    const unwritable = plan.unwritable.map((u) => `${u.description}: ${u.reason}`);
    const problems = [...conflicts, ...unwritable];
    const shown = problems.length > 10 ? [...problems.slice(0, 10), `and ${problems.length - 10} more`] : problems;
    const message = `batch rejected, ${notLanded}: ${shown.join('; ')}`;
    this.context.logger.warn(`rfc2136: ${message}`);
    throw new ChangeRejectedError(message);
  }

  private countFailed(units: readonly ChangeUnit[], plan: UpdatePlan): void {
    this.countChanges(units, 'failed');
    this.countChanges(plan.unwritable, 'failed');
  }

  /** Adds `changes` to changes_total: one increment per action, not one per change. */
  private countChanges(changes: readonly { action: ChangeAction }[], outcome: 'applied' | 'failed'): void {
    const byAction = new Map<ChangeAction, number>();
    for (const c of changes) byAction.set(c.action, (byAction.get(c.action) ?? 0) + 1);
    for (const [action, count] of byAction)
      this.metrics.changes.inc({ instance: this.instance, action, outcome }, count);
  }

  /**
   * Sends a zone's batches in order over one connection, a few in flight at
   * once, and sends what a broken connection left unanswered to the next
   * server.
   */
  private async sendBatches(
    zone: string,
    batches: ChangeUnit[][],
    report: (batch: ChangeUnit[], error?: Error) => void,
  ): Promise<void> {
    // Each message is built when it is sent, while the server works on the ones before it.
    const build = (index: number): Buffer =>
      buildUpdateMessage(
        0,
        zone,
        batches[index]!.flatMap((u) => u.prerequisites),
        batches[index]!.flatMap((u) => u.updates),
      );
    let pending = batches.map((_, i) => i);
    let order: DnsHost[] | undefined;
    const failures: Error[] = [];
    while (pending.length > 0) {
      let connection: DnsTcpConnection;
      try {
        const opened = await this.transport.connect(order);
        connection = opened.connection;
        order = opened.rest;
      } catch (error) {
        if (!(error instanceof AllHostsFailedError)) throw error;
        const all = new AllHostsFailedError([...failures, ...error.failures], `the update of ${zone}`);
        for (const index of pending) report(batches[index]!, all);
        return;
      }
      try {
        const subset = pending;
        const result = await this.transport.pipeline(
          connection,
          subset.length,
          (position) => build(subset[position]!),
          this.updateKey,
          `the UPDATE of ${zone}`,
          PIPELINE_WINDOW,
          (position, error) => report(batches[subset[position]!]!, error),
        );
        pending = result.unanswered.map((position) => subset[position]!);
        if (result.failure) failures.push(result.failure);
      } finally {
        connection.close();
      }
    }
  }

  private failureError(failures: BatchFailure[], message: string): Error {
    const errors = failures.map((f) => f.error);
    if (errors.length > 0 && errors.every((e) => e instanceof AllHostsFailedError)) {
      const timeouts = errors.every((e) => (e as AllHostsFailedError).allTimeouts);
      this.markUnreachable(message);
      return timeouts ? new BackendTimeoutError(message) : new BackendUnavailableError(message);
    }
    if (errors.some((e) => !(e instanceof DnsRcodeError && isPrerequisiteFailure(e.rcode)))) {
      return new BackendError(message);
    }
    return new ChangeRejectedError(message);
  }

  private markReachable(): void {
    if (!this.state.ready && this.state.reason !== 'stopped') this.state = { ready: true };
  }

  private markUnreachable(reason: string): void {
    this.state = { ready: false, reason };
  }

  /** Maps a wire-level failure to the SDK error that makes ExternalDNS retry; never carries a secret. */
  private toPluginError(error: unknown, what: string): Error {
    if (isDnsgateError(error)) return error;
    const message = `${what}: ${(error as Error).message}`;
    if (error instanceof AllHostsFailedError) {
      this.markUnreachable(message);
      return error.allTimeouts ? new BackendTimeoutError(message) : new BackendUnavailableError(message);
    }
    if (error instanceof DnsTimeoutError) return new BackendTimeoutError(message);
    if (error instanceof DnsConnectionError) return new BackendUnavailableError(message);
    if (
      error instanceof DnsRcodeError ||
      error instanceof TsigVerificationError ||
      error instanceof MalformedMessageError
    ) {
      return new BackendError(message);
    }
    return new BackendError(message, { cause: error });
  }
}

/** e.g. `create A a.example.com, delete TXT b.example.com and 3 more`. */
function describeUnits(units: readonly ChangeUnit[]): string {
  const names = units.map((u) => u.description);
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < items.length && failure === undefined) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}
