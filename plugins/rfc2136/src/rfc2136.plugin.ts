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
import { isPrerequisiteFailure } from './dns/dns-constants.js';
import { MalformedMessageError } from './dns/dns-message.reader.js';
import { TsigKey } from './dns/tsig.signer.js';
import { buildUpdateMessage } from './dns/update-message.builder.js';
import { batchUnits, planUpdates, type ChangeUnit } from './changes/update-planner.js';
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
      for (const zone of this.zoneList) await this.transport.probe(zone, this.updateKey);
      this.state = { ready: true };
    } catch (error) {
      const mapped = this.toPluginError(error, 'probing the servers');
      this.state = { ready: false, reason: mapped.message };
      throw mapped;
    }
  }

  async stop(): Promise<void> {
    this.state = { ready: false, reason: 'stopped' };
  }

  async readiness(): Promise<Readiness> {
    return this.state;
  }

  async zones(): Promise<string[]> {
    return [...this.zoneList];
  }

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const wanted = new Set(request.zones.map(normalizeDnsName));
    const zones = this.zoneList.filter((zone) => wanted.has(zone));
    const results = await mapLimited(zones, ZONE_CONCURRENCY, async (zone) => {
      const collector = new ZoneRecordsCollector(zone, this.zoneList);
      try {
        await this.transport.transfer(zone, this.transferKey, (rr) => collector.add(rr));
      } catch (error) {
        throw this.toPluginError(error, `reading zone ${zone}`);
      }
      const endpoints = collector.endpoints();
      this.metrics.zoneRecords.set({ instance: this.instance, zone }, endpoints.length);
      return endpoints;
    });
    this.markReachable();
    return results.flat();
  }

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const result = adjustEndpoints(endpoints, this.settings);
    for (const drop of result.drops) {
      this.metrics.dropped.inc({ instance: this.instance, reason: drop.reason });
      this.context.logger.warn(`rfc2136: dropped ${drop.endpoint.recordType} ${drop.endpoint.dnsName}: ${drop.detail}`);
    }
    return result.endpoints;
  }

  async applyChanges(changes: Changes): Promise<void> {
    if (countChanges(changes) === 0) return;
    const plan = planUpdates(changes, this.settings);
    const failures: BatchFailure[] = [];
    let applied = 0;
    await mapLimited([...plan.byZone], ZONE_CONCURRENCY, async ([zone, units]) => {
      const batches = batchUnits(units, this.options.batchSize, zone);
      await this.sendBatches(zone, batches, (batch, error) => {
        if (error) failures.push({ zone, units: batch, error });
        else applied += batch.length;
        for (const u of batch)
          this.metrics.changes.inc({
            instance: this.instance,
            action: u.action,
            outcome: error ? 'failed' : 'applied',
          });
      });
    });
    for (const u of plan.unwritable)
      this.metrics.changes.inc({ instance: this.instance, action: u.action, outcome: 'failed' });

    const total = applied + plan.unwritable.length + failures.reduce((n, f) => n + f.units.length, 0);
    if (failures.length === 0 && plan.unwritable.length === 0) {
      this.context.logger.debug(`rfc2136: applied ${applied} changes`);
      this.markReachable();
      return;
    }
    const parts: string[] = [];
    for (const u of plan.unwritable) parts.push(`${u.description}: ${u.reason}`);
    for (const f of failures) {
      const names = f.units.map((u) => u.description);
      const shown =
        names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      parts.push(`zone ${f.zone}: ${shown}: ${f.error.message}`);
    }
    const message = `${total - applied} of ${total} changes did not land (${applied} applied): ${parts.join('; ')}`;
    this.context.logger.warn(`rfc2136: ${message}`);
    throw this.failureError(failures, message);
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
    const messages = batches.map((batch) =>
      buildUpdateMessage(
        0,
        zone,
        batch.flatMap((u) => u.prerequisites),
        batch.flatMap((u) => u.updates),
      ),
    );
    let pending = messages.map((_, i) => i);
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
          subset.map((i) => messages[i]!),
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
