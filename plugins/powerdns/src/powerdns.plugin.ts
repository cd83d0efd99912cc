import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  ChangeRejectedError,
  concatenated,
  Deadline,
  GroupRefusedError,
  ZoneIndex,
  isDnsgateError,
  isWithinDomain,
  normalizeDnsName,
  settleWithLimit,
  targetRuleProblem,
  type CallContext,
  type ChangeGroup,
  type DnsgateError,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordCheck,
  type RecordRole,
  type RecordsRequest,
  type ZoneState,
  type ZoneVersionSource,
} from '@dnsgate/plugin-sdk';
import type { PowerDnsApiClient } from './client/powerdns-api.client.js';
import { PowerDnsNotFoundError, PowerDnsUnprocessableError } from './client/powerdns-api.errors.js';
import type { PdnsRrset, PdnsZoneSummary } from './client/powerdns-api.types.js';
import { parseZoneExport, ZoneExportFormatError } from './client/zone-export.parser.js';
import { normalizeEndpoint } from './mapping/endpoint.normalizer.js';
import { canonicalHost } from './mapping/record-content.mapper.js';
import { ReportedRrsets, rrsetChangesOf, rrsetsNamedIn, writeRrsetChanges } from './mapping/rrset-changes.js';
import { rrsetToEndpoint } from './mapping/rrset.mapper.js';
import type { PowerDnsMetrics } from './powerdns.metrics.js';
import { PowerDnsZoneVersions } from './zone-versions/powerdns-zone-versions.js';

/** A readiness probe answers within this, whatever TIMEOUT is (Kubernetes probes time out at 1 s by default). */
const READINESS_BUDGET_MS = 900;
/** PowerDNS checks no host names in targets (BIND's check-names does). */
const NO_NAME_CHECKS = { checkNames: false } as const;

/** The plugin's settings once options are parsed and files read. */
export interface PowerDnsSettings {
  /** Zones from DNSGATE_POWERDNS_ZONES, normalised; empty: discover. */
  fixedZones: string[];
  defaultTtl: number;
  concurrency: number;
  /** `export`: read zones as text (GET …/export), JSON where that fails; `json`: the zone API only. */
  zoneRead: 'export' | 'json';
  operationTimeoutMs: number;
  createZones: boolean;
  zoneNameservers: string[];
  /** How long a discovered zone list is reused. */
  zoneCacheMs: number;
}

/**
 * One PowerDNS Authoritative server behind the dnsgate plugin contract.
 * Reads each in-scope zone once per Records call; ApplyChanges reads each
 * zone it touches, checks the batch against it, then writes one PATCH per
 * zone, one batch at a time; backend trouble comes back as the SDK's 5xx errors.
 */
export class PowerDnsPlugin implements DnsPlugin {
  private readonly zoneIds = new Map<string, string>();
  private zoneCache?: { at: number; zones: string[] };
  private zoneFetch?: Promise<string[]>;
  private readonly labels: { instance: string };
  /**
   * One PATCH at a time: PowerDNS with a SQL backend answers 500 to concurrent
   * zone transactions (gsqlite3: "database is locked"), and a PATCH is never retried.
   */
  readonly concurrency: { zoneReads: number; groupWrites: number };
  /** Set once the server (or a proxy in front of it) answered 404 to the export of a zone that exists. */
  private exportRefused = false;
  /** The zones' serials, for the gateway's records cache (off by default here: see PowerDnsZoneVersions). */
  readonly zoneVersions: ZoneVersionSource;

  constructor(
    private readonly settings: PowerDnsSettings,
    private readonly client: PowerDnsApiClient,
    private readonly context: PluginContext,
    private readonly metrics: PowerDnsMetrics,
    private readonly onStop: () => Promise<void> = async () => undefined,
  ) {
    this.labels = { instance: context.instanceName };
    this.concurrency = { zoneReads: settings.concurrency, groupWrites: 1 };
    this.zoneVersions = new PowerDnsZoneVersions({
      logger: context.logger,
      deadlineOf: (call) => call.deadline.cap(settings.operationTimeoutMs),
      managedZones: (listing) =>
        settings.fixedZones.length > 0 ? settings.fixedZones : listing.map((zone) => normalizeDnsName(zone.name)),
      zones: () => this.zones(),
      listZones: (deadline) => this.listZones(deadline),
      zoneSettings: (zone, deadline) => client.getZoneSettings(this.zoneId(zone), deadline),
      readZoneEndpoints: async (zone, managed, deadline) =>
        reportedEndpoints(await this.readZone(zone, deadline), zone, managed),
    });
  }

  private get logger() {
    return this.context.logger;
  }

  async start(): Promise<void> {
    const deadline = Deadline.in(this.settings.operationTimeoutMs);
    const server = await this.client.getServer(deadline);
    this.logger.log(
      `connected to PowerDNS ${server.version ?? '(unknown version)'} at ${this.client.endpoint}, server id "${server.id}"`,
    );
    const existing = await this.discoverZones(deadline);
    if (this.settings.fixedZones.length === 0) {
      this.logger.log(`managing every zone on the server (${existing.length}), cut by the domain filter`);
      return;
    }
    const have = new Set(existing);
    const missing = this.settings.fixedZones.filter((zone) => !have.has(zone));
    for (const zone of missing) {
      if (this.settings.createZones) {
        await this.client.createZone(
          `${zone}.`,
          this.settings.zoneNameservers.map((ns) => `${normalizeDnsName(ns)}.`),
          deadline,
        );
        this.logger.log(`created zone ${zone} (${this.context.optionPrefix}CREATE_ZONES is on)`);
      } else {
        this.logger.warn(
          `zone ${zone} is configured in ${this.context.optionPrefix}ZONES but does not exist on PowerDNS; it is not created ` +
            `(set ${this.context.optionPrefix}CREATE_ZONES=true to create it); changes to it will fail until it exists`,
        );
      }
    }
    if (this.settings.createZones && missing.length > 0) await this.discoverZones(deadline);
    this.metrics.zonesMissing.set(this.labels, this.settings.createZones ? 0 : missing.length);
    this.metrics.zones.set(this.labels, this.settings.fixedZones.length);
  }

  async stop(): Promise<void> {
    await this.onStop();
  }

  async readiness(): Promise<Readiness> {
    try {
      await this.client.getServer(Deadline.in(READINESS_BUDGET_MS));
      this.metrics.up.set(this.labels, 1);
      return { ready: true };
    } catch (error) {
      this.metrics.up.set(this.labels, 0);
      return { ready: false, reason: (error as Error).message };
    }
  }

  async zones(): Promise<string[]> {
    if (this.settings.fixedZones.length > 0) return [...this.settings.fixedZones];
    const cached = this.zoneCache;
    if (cached && Date.now() - cached.at < this.settings.zoneCacheMs) return [...cached.zones];
    return [...(await this.discoverZones())];
  }

  async records(request: RecordsRequest, call: CallContext): Promise<Endpoint[]> {
    const deadline = call.deadline.cap(this.settings.operationTimeoutMs);
    const managed = await this.zones();
    const managedSet = new Set(managed);
    const wanted = [...new Set(request.zones.map(normalizeDnsName))].filter((zone) => managedSet.has(zone));
    // Each zone is mapped as soon as it arrives, while the next ones are read:
    // the mapping overlaps PowerDNS's work, and a zone's parsed JSON is garbage
    // before the next is parsed (young, cheap to collect) instead of all zones
    // being held at once. What comes out, and in which order, is unchanged.
    const results = await settleWithLimit(wanted, this.settings.concurrency, async (zone) => {
      const rrsets = await this.readZone(zone, deadline);
      try {
        const endpoints = reportedEndpoints(rrsets, zone, managed);
        // Finished: the gateway may serialise them while the other zones are read.
        call.early?.take(endpoints);
        return { endpoints };
      } catch (error) {
        // Not the zone's read failing: thrown as it is, below, as it always was.
        return { endpoints: [], mappingError: error };
      }
    });
    const zoneLists: Endpoint[][] = [];
    const failures: Array<{ zone: string; error: unknown }> = [];
    results.forEach((result, index) => {
      const zone = wanted[index]!;
      if (result.status === 'rejected') {
        if (result.reason instanceof PowerDnsNotFoundError) {
          this.logger.warn(
            `zone ${zone} does not exist on PowerDNS; it has no records to report (zones are not created)`,
          );
          return;
        }
        failures.push({ zone, error: result.reason });
        return;
      }
      if ('mappingError' in result.value) throw result.value.mappingError;
      zoneLists.push(result.value.endpoints);
    });
    if (failures.length > 0) {
      throw combineFailures(
        `could not read ${failures.length} of ${wanted.length} zones from PowerDNS`,
        failures.map((failure) => ({ ...failure, error: failure.error })),
      );
    }
    return concatenated(zoneLists);
  }

  /**
   * The record set as Records will report it, or why PowerDNS cannot hold
   * it, or would hold it in a zone no transfer can carry (a TXT larger than a
   * DNS message, a NAPTR regexp its parser rejects). A current record set
   * (delete, the old side of an update) needs only its name and type.
   */
  checkRecord(endpoint: Endpoint, _zone: string, role: RecordRole): RecordCheck {
    const result = normalizeEndpoint(endpoint, this.settings.defaultTtl);
    if (role === 'current') {
      if (result.ok) return { ok: true, endpoint: result.endpoint };
      const name = canonicalHost(endpoint.dnsName, { wildcard: true });
      if (name === undefined || result.reason === 'unsupported_type' || result.reason === 'set_identifier') {
        return { ok: false, reason: result.reason, problem: result.problem };
      }
      return {
        ok: true,
        endpoint: {
          dnsName: name,
          targets: [...endpoint.targets],
          recordType: endpoint.recordType.trim().toUpperCase(),
        },
      };
    }
    if (!result.ok) return { ok: false, reason: result.reason, problem: result.problem };
    const checked = result.endpoint;
    for (const target of checked.targets) {
      const problem = targetRuleProblem(checked.recordType, target, NO_NAME_CHECKS);
      if (problem) return { ok: false, reason: 'loader_rule', problem };
    }
    // The normaliser's result is the check's answer as it is (one object per change, not two).
    return result;
  }

  async readZoneState(zone: string, call: CallContext): Promise<ZoneState> {
    try {
      return ReportedRrsets.ofZone(
        await this.readZone(zone, call.deadline.cap(this.settings.operationTimeoutMs)),
        zone,
      );
    } catch (error) {
      if (error instanceof PowerDnsNotFoundError) {
        throw new BackendError(`zone ${zone} does not exist on PowerDNS`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * One PATCH for the group: PowerDNS applies it in one transaction, whole or
   * not at all. A 422 is about the data: the group is refused, naming the
   * rrsets PowerDNS's message names, and the pipeline writes the rest without them.
   */
  async writeGroup(group: ChangeGroup, call: CallContext): Promise<void> {
    const { zone, changes } = group;
    const { defaultTtl } = this.settings;
    try {
      await this.client.patchZoneWith(
        this.zoneId(zone),
        (writer) => writeRrsetChanges(writer, changes, zone, defaultTtl),
        call.deadline.cap(this.settings.operationTimeoutMs),
      );
    } catch (error) {
      if (error instanceof PowerDnsUnprocessableError) {
        throw new GroupRefusedError(`PowerDNS refused the changes to zone ${zone} (422): ${error.detail}`, {
          cause: error,
          suspects: rrsetsNamedIn(rrsetChangesOf(changes, zone, defaultTtl), error.detail),
        });
      }
      if (error instanceof PowerDnsNotFoundError) {
        throw new BackendError(`zone ${zone} does not exist on PowerDNS`, { cause: error });
      }
      throw error;
    }
    let deleted = 0;
    for (const change of changes) if (change.action === 'delete') deleted++;
    const replaced = changes.length - deleted;
    if (deleted > 0) this.metrics.rrsetChanges.inc({ ...this.labels, changetype: 'DELETE' }, deleted);
    if (replaced > 0) this.metrics.rrsetChanges.inc({ ...this.labels, changetype: 'REPLACE' }, replaced);
  }

  /**
   * The rrsets of a zone, from its text export when that can be used (see
   * parseZoneExport for why), else from the zone's JSON. Both give the same
   * rrsets but for disabled records, which the export leaves out and the
   * mapping skips. A 404 to the export is asked again as JSON: the zone may be
   * gone (then that 404 stands) or only the export path refused, e.g. by a
   * proxy that passes a list of API paths.
   */
  private async readZone(zone: string, deadline: Deadline): Promise<PdnsRrset[]> {
    const id = this.zoneId(zone);
    if (this.settings.zoneRead === 'json' || this.exportRefused) {
      return (await this.client.getZone(id, deadline)).rrsets ?? [];
    }
    let reason: 'format' | 'export_refused';
    try {
      return parseZoneExport(await this.client.exportZone(id, deadline));
    } catch (error) {
      if (error instanceof ZoneExportFormatError) {
        reason = 'format';
        this.logger.warn(`the export of zone ${zone} is not in the form expected (${error.message}); read as JSON`);
      } else if (error instanceof PowerDnsNotFoundError) {
        reason = 'export_refused';
      } else {
        throw error;
      }
    }
    const rrsets = (await this.client.getZone(id, deadline)).rrsets ?? [];
    if (reason === 'export_refused' && !this.exportRefused) {
      this.exportRefused = true;
      this.logger.warn(
        `${this.client.endpoint} answered 404 to the export of zone ${zone}, which exists; zones are read as JSON from now on`,
      );
    }
    this.metrics.zoneReadFallbacks.inc({ ...this.labels, reason });
    return rrsets;
  }

  private zoneId(zone: string): string {
    return this.zoneIds.get(zone) ?? `${zone}.`;
  }

  /** Lists the server's zones (one request in flight at a time) and remembers their ids. */
  private discoverZones(deadline?: Deadline): Promise<string[]> {
    if (!this.zoneFetch) {
      this.zoneFetch = this.listZones(deadline)
        .then((list) => list.map((zone) => normalizeDnsName(zone.name)))
        .finally(() => {
          this.zoneFetch = undefined;
        });
    }
    return this.zoneFetch;
  }

  /** The server's zone list, fresh; remembered as the discovered zones and their ids. */
  private async listZones(deadline?: Deadline): Promise<PdnsZoneSummary[]> {
    const list = await this.client.listZones(deadline);
    const names: string[] = [];
    for (const zone of list) {
      const name = normalizeDnsName(zone.name);
      this.zoneIds.set(name, zone.id);
      names.push(name);
    }
    this.zoneCache = { at: Date.now(), zones: names };
    if (this.settings.fixedZones.length === 0) this.metrics.zones.set(this.labels, names.length);
    return list;
  }
}

/** The endpoints Records reports for one zone's rrsets; a name below a managed child zone is that zone's. */
function reportedEndpoints(rrsets: PdnsRrset[] | undefined, zone: string, managed: readonly string[]): Endpoint[] {
  const endpoints: Endpoint[] = [];
  if (!rrsets) return endpoints;
  const children = managed.filter((other) => other !== zone && isWithinDomain(other, zone));
  const below = children.length > 0 ? new ZoneIndex(children) : undefined;
  for (const rrset of rrsets) {
    const endpoint = rrsetToEndpoint(rrset, zone);
    if (!endpoint) continue;
    // A name below a managed child zone belongs to that zone (glue, delegation NS).
    if (below?.holds(endpoint.dnsName)) continue;
    endpoints.push(endpoint);
  }
  return endpoints;
}

/**
 * One error for several failed zones: the first failure's kind (so a timeout
 * stays a 504 and an unreachable server a 503), every zone's reason in the message.
 */
const SDK_ERRORS: Record<string, new (message: string, options?: { cause?: unknown }) => DnsgateError> = {
  unavailable: BackendUnavailableError,
  timeout: BackendTimeoutError,
  backend: BackendError,
  rejected: ChangeRejectedError,
};

function combineFailures(summary: string, failures: Array<{ zone: string; error: unknown }>): DnsgateError {
  const first = failures[0]!.error;
  const details = failures.map((f) => `${f.zone}: ${(f.error as Error).message}`).join('; ');
  const message = `${summary}: ${details}`;
  if (isDnsgateError(first)) {
    const SameKind = SDK_ERRORS[first.kind];
    if (SameKind) return new SameKind(message, { cause: first });
  }
  return new BackendError(message, { cause: first });
}
