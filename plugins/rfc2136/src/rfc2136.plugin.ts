import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  concatenated,
  joinedRecords,
  DeadlineExceededError,
  GroupRefusedError,
  Limiter,
  PluginConfigError,
  isDnsgateError,
  normalizeDnsName,
  ownerNameProblem,
  targetRuleProblem,
  zoneStateOfKeys,
  type CallContext,
  type ChangeGroup,
  type Deadline,
  type DnsPlugin,
  type Endpoint,
  type GroupResult,
  type PlannedChange,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordRole,
  type RecordsRequest,
  type SerialisedRecords,
  type VersionedZone,
  type ZoneState,
  type ZoneVersionSource,
} from '@dnsgate/plugin-sdk';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { RCODE } from './dns/dns-constants.js';
import { MalformedMessageError } from './dns/dns-message.reader.js';
import { TsigKey } from './dns/tsig.signer.js';
import { buildFramedUpdate, type FramedMessage } from './dns/update-message.builder.js';
import { batchUnits, changeUnit, fitsOneMessage, type ChangeUnit } from './changes/update-planner.js';
import { normalizeEndpoint, type NormalizerSettings } from './records/endpoint-normalizer.js';
import { ZoneAnswerWriter } from './records/zone-answer.writer.js';
import { ZoneRecordSets, ZoneRecordsCollector } from './records/zone-records.collector.js';
import {
  serialIsNewer,
  type DifferenceSequence,
  type IxfrReply,
  type TransferSink,
} from './dns/zone-transfer.reader.js';
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
  zoneRecords: Gauge<'instance' | 'zone'>;
}

/** What a zone's transfer is read into: its size is the zone's record-set gauge. */
type ZoneSink = TransferSink & { readonly size: number };

/** How many zones are transferred or updated at the same time. */
const ZONE_CONCURRENCY = 4;

/** UPDATE messages in flight on one connection; the server still applies them in order. */
const PIPELINE_WINDOW = 4;

/** How often readiness looks at the servers again while an operation has found none reachable. */
const REPROBE_INTERVAL_MS = 1_000;

/** Answers to an IXFR that mean "not here" (RFC 1995 servers may lack it, or forbid it): read the zone whole. */
const IXFR_REFUSALS: ReadonlySet<number> = new Set([RCODE.NOTIMP, RCODE.REFUSED, RCODE.NOTAUTH]);

/** What a versioned read keeps for the next IXFR: the serial and the record sets, RR by RR. */
class IncrementalState {
  constructor(
    readonly serial: number,
    readonly sets: ZoneRecordSets,
  ) {}
}

function versionedZone(serial: number, sets: ZoneRecordSets): VersionedZone {
  return { version: String(serial), endpoints: sets.endpoints, incremental: new IncrementalState(serial, sets) };
}

/** True when the sequences lead, one after the other, from serial `from` to serial `to`. */
function chainsFrom(sequences: readonly DifferenceSequence[], from: number, to: number): boolean {
  let serial = from;
  for (const sequence of sequences) {
    if (sequence.fromSerial !== serial) return false;
    serial = sequence.toSerial;
  }
  return serial === to;
}

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
  /** Zones transferred or updated at the same time, across calls. */
  readonly concurrency = { zoneReads: ZONE_CONCURRENCY, groupWrites: ZONE_CONCURRENCY };
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
      else problems.push(`${context.optionPrefix}HOSTS: ${JSON.stringify(text)} is not host[:port]`);
    }
    if (hosts.length === 0 && problems.length === 0)
      problems.push(`${context.optionPrefix}HOSTS: name at least one server`);
    this.zoneList = [...new Set(options.zones.map(normalizeDnsName).filter((z) => z !== '' && z !== '.'))];
    if (this.zoneList.length === 0) problems.push(`${context.optionPrefix}ZONES: name at least one zone`);
    try {
      if (!options.insecure) {
        if (!options.tsigKeyname || !options.tsigSecret) {
          problems.push(
            `set ${context.optionPrefix}TSIG_KEYNAME and ${context.optionPrefix}TSIG_SECRET, or ${context.optionPrefix}INSECURE=true`,
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
        help: 'DNS messages exchanged with the servers, by operation (update, axfr, ixfr, soa, query), server and outcome (ok, an rcode, timeout, unavailable, tsig)',
        labelNames: ['instance', 'operation', 'server', 'outcome'],
      }),
      duration: m.histogram({
        name: 'request_duration_seconds',
        help: 'Time for one UPDATE exchange, one whole AXFR or IXFR, or one query',
        labelNames: ['instance', 'operation'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
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

  async records(request: RecordsRequest, call: CallContext): Promise<Endpoint[]> {
    const results = await this.transferEach(
      request,
      call,
      (zone) => new ZoneRecordsCollector(zone, this.zoneList, true, call.early),
      (collector) => collector.recordSets().endpoints,
    );
    return concatenated(results);
  }

  /** records() as its answer's JSON, written from the transfers' messages as they arrive (ZoneAnswerWriter). */
  async serialisedRecords(request: RecordsRequest, call: CallContext): Promise<SerialisedRecords> {
    const answers = await this.transferEach(
      request,
      call,
      (zone) => new ZoneAnswerWriter(zone, this.zoneList),
      (writer) => writer.result(),
    );
    return joinedRecords(answers);
  }

  /** Each requested zone this instance manages, transferred into a sink of its own, a few at once; in zone order. */
  private async transferEach<Sink extends ZoneSink, Result>(
    request: RecordsRequest,
    call: CallContext,
    makeSink: (zone: string) => Sink,
    resultOf: (sink: Sink) => Result,
  ): Promise<Result[]> {
    const wanted = new Set(request.zones.map(normalizeDnsName));
    const zones = this.zoneList.filter((zone) => wanted.has(zone));
    const limiter = new Limiter(ZONE_CONCURRENCY);
    const results = await Promise.all(
      zones.map((zone) =>
        limiter.run(async () => {
          try {
            return resultOf((await this.transferZone(zone, call.deadline, () => makeSink(zone))).sink);
          } catch (error) {
            throw this.toPluginError(error, `reading zone ${zone}`);
          }
        }),
      ),
    );
    this.markReachable();
    return results;
  }

  /** The record sets of one zone, by AXFR, without decoding their targets. */
  async readZoneState(zone: string, call: CallContext): Promise<ZoneState> {
    try {
      const { sink } = await this.transferZone(
        zone,
        call.deadline,
        () => new ZoneRecordsCollector(zone, this.zoneList, false),
      );
      const keys = sink.keys();
      this.markReachable();
      return zoneStateOfKeys(keys);
    } catch (error) {
      throw this.toPluginError(error, `reading zone ${zone}`);
    }
  }

  private async transferZone<Sink extends ZoneSink>(
    zone: string,
    deadline: Deadline,
    makeSink: () => Sink,
  ): Promise<{ serial: number; sink: Sink }> {
    if (deadline.expired)
      throw new DeadlineExceededError(`the transfer of ${zone} did not start: the call's deadline passed`);
    const { serial, sink } = await this.transport.transfer(zone, this.transferKey, makeSink, deadline);
    this.metrics.zoneRecords.set({ instance: this.instance, zone }, sink.size);
    return { serial, sink };
  }

  /**
   * Versions for the records cache: a zone's version is its SOA serial,
   * which BIND (and every RFC 2136 server) moves on each update, so the
   * revalidation is exact. One SOA query per zone; a changed zone is brought
   * up to date by IXFR from the cached serial.
   */
  readonly zoneVersions: ZoneVersionSource = {
    exactness: 'exact',
    currentVersions: (zones, call) => this.readZoneSerials(zones, call),
    readVersionedZone: (zone, call) => this.readVersionedZone(zone, call),
    readZoneDifference: (zone, cached, call) => this.readZoneDifference(zone, cached, call),
  };

  private async readZoneSerials(zones: readonly string[], call: CallContext): Promise<ReadonlyMap<string, string>> {
    const wanted = new Set(zones.map(normalizeDnsName));
    const limiter = new Limiter(ZONE_CONCURRENCY);
    const serials = await Promise.all(
      this.zoneList
        .filter((zone) => wanted.has(zone))
        .map((zone) =>
          limiter.run(async (): Promise<[string, string]> => {
            if (call.deadline.expired)
              throw new DeadlineExceededError(`the SOA query for ${zone} was not sent: the call's deadline passed`);
            try {
              return [zone, String(await this.transport.soaSerial(zone, this.transferKey, call.deadline))];
            } catch (error) {
              throw this.toPluginError(error, `reading the serial of zone ${zone}`);
            }
          }),
        ),
    );
    this.markReachable();
    return new Map(serials);
  }

  private async readVersionedZone(zone: string, call: CallContext): Promise<VersionedZone> {
    const name = normalizeDnsName(zone);
    // As records() does: a zone this instance does not manage has no records here.
    if (!this.zoneList.includes(name)) return { version: 'unmanaged', endpoints: [] };
    try {
      const { serial, sink } = await this.transferZone(
        name,
        call.deadline,
        () => new ZoneRecordsCollector(name, this.zoneList),
      );
      this.markReachable();
      return versionedZone(serial, sink.recordSets());
    } catch (error) {
      throw this.toPluginError(error, `reading zone ${name}`);
    }
  }

  /**
   * The cached read brought to the zone's current serial by IXFR, or
   * undefined for the cache to read the zone whole: when the server answers
   * with the whole zone, refuses the IXFR, or holds a serial older than the
   * cached one (the zone was reloaded from an older file).
   */
  private async readZoneDifference(
    zone: string,
    cached: VersionedZone,
    call: CallContext,
  ): Promise<VersionedZone | undefined> {
    const name = normalizeDnsName(zone);
    const held = cached.incremental;
    if (!(held instanceof IncrementalState)) return undefined;
    if (call.deadline.expired)
      throw new DeadlineExceededError(`the IXFR of ${name} did not start: the call's deadline passed`);
    let reply: IxfrReply;
    try {
      reply = await this.transport.incrementalTransfer(name, this.transferKey, held.serial, call.deadline);
    } catch (error) {
      if (error instanceof DnsRcodeError && IXFR_REFUSALS.has(error.rcode)) {
        this.markReachable();
        return undefined;
      }
      throw this.toPluginError(error, `reading the changes of zone ${name} (IXFR)`);
    }
    this.markReachable();
    switch (reply.kind) {
      case 'current':
        return reply.serial === held.serial ? cached : undefined;
      case 'full':
        return undefined;
      case 'incremental': {
        if (!serialIsNewer(reply.serial, held.serial) || !chainsFrom(reply.sequences, held.serial, reply.serial))
          return undefined;
        const sets = held.sets.withDifference(reply.sequences);
        this.metrics.zoneRecords.set({ instance: this.instance, zone: name }, sets.size);
        return versionedZone(reply.serial, sets);
      }
    }
  }

  /**
   * The record set as Records will report it, or why the server would
   * refuse it: the plugin's encoding rules, one UPDATE message's size, then
   * BIND's check-names (applied to dynamic updates too) and the TXT and NAPTR
   * rules its loader has.
   */
  checkRecord(endpoint: Endpoint, _zone: string, role: RecordRole): RecordCheck {
    // A current record set keeps its setIdentifier: this backend holds none, so one with a routing
    // policy does not exist here, and must not be taken for the plain record set at its name.
    const result = normalizeEndpoint(endpoint, this.settings);
    if (!result.ok) return { ok: false, reason: result.drop.reason, problem: result.drop.detail };
    const checked = result.endpoint;
    if (role === 'desired') {
      const problem =
        ownerNameProblem(checked.dnsName, checked.recordType) ??
        checked.targets.map((t) => targetRuleProblem(checked.recordType, t, { checkNames: true })).find(Boolean);
      if (problem) return { ok: false, reason: 'loader_rule', problem };
      if (!fitsOneMessage(checked, result.zone)) {
        return { ok: false, reason: 'too_large', problem: 'its records do not fit in one UPDATE message' };
      }
    }
    return {
      ok: true,
      endpoint: checked,
      droppedTargets: result.droppedTargets.map((d) => ({ target: d.target ?? '', problem: d.detail })),
    };
  }

  /**
   * Sends the group's changes in UPDATE messages of at most BATCH_SIZE, in
   * order over one connection, a few in flight at once, and what a broken
   * connection left unanswered to the next server. Each message lands whole
   * or not at all: a refused message is returned as a refused part for the
   * pipeline to split, an unanswered one as not applied.
   */
  async writeGroup(group: ChangeGroup, call: CallContext): Promise<GroupResult> {
    const units = group.changes.map((change) => changeUnit(change, group.zone));
    const batches = batchUnits(units, this.options.batchSize, group.zone);
    const failed: Array<{ changes: PlannedChange[]; error: Error }> = [];
    let anyAnswered = false;
    await this.sendBatches(group.zone, batches, call.deadline, (batch, error) => {
      if (!error || !(error instanceof AllHostsFailedError)) anyAnswered = true;
      if (error) failed.push({ changes: batch.map((u) => u.change), error: this.groupError(error, group.zone) });
    });
    if (anyAnswered) this.markReachable();
    return { failed };
  }

  /** What a message's failure means for the pipeline: a refusal of its data, or the server's trouble. */
  private groupError(error: Error, zone: string): Error {
    if (error instanceof DnsRcodeError) {
      // About the data: the records (integrity checks, check-names), or the zone moved under the check.
      const data: number[] = [
        RCODE.REFUSED,
        RCODE.FORMERR,
        RCODE.YXDOMAIN,
        RCODE.YXRRSET,
        RCODE.NXDOMAIN,
        RCODE.NXRRSET,
      ];
      if (data.includes(error.rcode)) return new GroupRefusedError(`zone ${zone}: ${error.message}`);
      return new BackendError(`zone ${zone}: ${error.message}`);
    }
    if (error instanceof DnsTimeoutError) return new BackendTimeoutError(`zone ${zone}: ${error.message}`);
    return this.toPluginError(error, `the update of ${zone}`);
  }

  private async sendBatches(
    zone: string,
    batches: ChangeUnit[][],
    deadline: Deadline,
    report: (batch: ChangeUnit[], error?: Error) => void,
  ): Promise<void> {
    // Each message is built when it is sent, while the server works on the ones before it: in one buffer,
    // with room for the TSIG RR, signed and framed where it lies (buildFramedUpdate, signInPlace).
    const tsigRoom = this.updateKey?.requestTsigLength ?? 0;
    const build = (index: number): FramedMessage => buildFramedUpdate(zone, batches[index]!, tsigRoom);
    let pending = batches.map((_, i) => i);
    let order: DnsHost[] | undefined;
    const failures: Error[] = [];
    while (pending.length > 0) {
      if (deadline.expired) {
        const late = new DeadlineExceededError(`not sent: the call's deadline passed`);
        for (const index of pending) report(batches[index]!, late);
        return;
      }
      let connection: DnsTcpConnection;
      try {
        const opened = await this.transport.connect(order, deadline);
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
          deadline,
        );
        pending = result.unanswered.map((position) => subset[position]!);
        if (result.failure) failures.push(result.failure);
      } finally {
        connection.close();
      }
    }
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
