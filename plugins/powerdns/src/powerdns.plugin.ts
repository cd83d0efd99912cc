import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  ChangeRejectedError,
  describeEndpoint,
  endpointKey,
  findZone,
  isDnsgateError,
  isWithinDomain,
  normalizeDnsName,
  type Changes,
  type DnsgateError,
  type DnsPlugin,
  type Endpoint,
  type PluginContext,
  type Readiness,
  type RecordsRequest,
} from '@dnsgate/plugin-sdk';
import type { PowerDnsApiClient } from './client/powerdns-api.client.js';
import { PowerDnsNotFoundError, PowerDnsUnprocessableError } from './client/powerdns-api.errors.js';
import type { PdnsRrset, PdnsRrsetChange } from './client/powerdns-api.types.js';
import { parseZoneExport, ZoneExportFormatError } from './client/zone-export.parser.js';
import { normalizeEndpoint } from './mapping/endpoint.normalizer.js';
import { rrsetToEndpoint } from './mapping/rrset.mapper.js';
import {
  describeSource,
  findConflicts,
  planSteps,
  ReportedRrsets,
  type PlannedChanges,
  type ZonePatch,
} from './mapping/zone-changes.planner.js';
import type { PowerDnsMetrics } from './powerdns.metrics.js';
import { Limiter, settle, settleWithLimit } from './util/concurrency.js';
import { Deadline } from './util/deadline.js';
import { Mutex } from './util/mutex.js';

/** A readiness probe answers within this, whatever TIMEOUT is (Kubernetes probes time out at 1 s by default). */
const READINESS_BUDGET_MS = 900;

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
  /** One batch at a time: its check and its PATCHes must not interleave with another's. */
  private readonly writes = new Mutex();
  /** Set once the server (or a proxy in front of it) answered 404 to the export of a zone that exists. */
  private exportRefused = false;

  constructor(
    private readonly settings: PowerDnsSettings,
    private readonly client: PowerDnsApiClient,
    private readonly context: PluginContext,
    private readonly metrics: PowerDnsMetrics,
    private readonly onStop: () => Promise<void> = async () => undefined,
  ) {
    this.labels = { instance: context.instanceName };
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
        this.logger.log(`created zone ${zone} (DNSGATE_POWERDNS_CREATE_ZONES is on)`);
      } else {
        this.logger.warn(
          `zone ${zone} is configured in DNSGATE_POWERDNS_ZONES but does not exist on PowerDNS; it is not created ` +
            `(set DNSGATE_POWERDNS_CREATE_ZONES=true to create it); changes to it will fail until it exists`,
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

  async records(request: RecordsRequest): Promise<Endpoint[]> {
    const deadline = Deadline.in(this.settings.operationTimeoutMs);
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
        return { endpoints: reportedEndpoints(rrsets, zone, managed) };
      } catch (error) {
        // Not the zone's read failing: thrown as it is, below, as it always was.
        return { endpoints: [], mappingError: error };
      }
    });
    let endpoints: Endpoint[] | undefined;
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
      const zoneEndpoints = result.value.endpoints;
      if (!endpoints) endpoints = zoneEndpoints;
      else for (const endpoint of zoneEndpoints) endpoints.push(endpoint);
    });
    if (failures.length > 0) {
      throw combineFailures(
        `could not read ${failures.length} of ${wanted.length} zones from PowerDNS`,
        failures.map((failure) => ({ ...failure, error: failure.error })),
      );
    }
    return endpoints ?? [];
  }

  async applyChanges(changes: Changes): Promise<void> {
    // The budget starts now: time spent behind another batch counts.
    const deadline = Deadline.in(this.settings.operationTimeoutMs);
    return this.writes.run(() => this.applyNow(changes, deadline));
  }

  private async applyNow(changes: Changes, deadline: Deadline): Promise<void> {
    const zones = await this.zones();
    // Each zone the batch writes to is read as soon as planning meets it, and
    // planning pauses right then (and every slice) for the read to go out:
    // PowerDNS answers while the rest is planned, and the check below waits
    // only for what is still on the way.
    const reads = new Map<string, Promise<PromiseSettledResult<PdnsRrset[]>>>();
    const limiter = new Limiter(this.settings.concurrency);
    const onZone = (zone: string) => {
      reads.set(zone, settle(limiter.run(() => this.readZone(zone, deadline))));
    };
    let plan: PlannedChanges;
    try {
      const steps = planSteps(changes, zones, this.settings.defaultTtl, { onZone });
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done) {
          plan = step.value;
          break;
        }
        await yieldToEventLoop();
      }
    } catch (error) {
      if (error instanceof ChangeRejectedError) {
        this.metrics.batchesRejected.inc({ ...this.labels, reason: 'duplicate' });
        this.logger.warn(error.message);
      }
      throw error;
    }
    for (const skipped of plan.skipped) {
      this.metrics.changesSkipped.inc({ ...this.labels, reason: skipped.reason });
      this.logger.warn(
        `not sending the ${skipped.action} of ${describeEndpoint(skipped.endpoint)} to PowerDNS: ${skipped.problem}`,
      );
    }
    if (plan.patches.length === 0) return;
    await this.checkAgainstZones(plan, reads, deadline);
    // One PATCH at a time: PowerDNS with a SQL backend answers 500 to concurrent
    // zone transactions (gsqlite3: "database is locked"), and a PATCH is never retried.
    const results = await settleWithLimit(plan.patches, 1, async (patch) => {
      await this.client.patchZone(this.zoneId(patch.zone), patch.rrsets, deadline);
      let deleted = 0;
      for (const rrset of patch.rrsets) if (rrset.changetype === 'DELETE') deleted++;
      const replaced = patch.rrsets.length - deleted;
      if (deleted > 0) this.metrics.rrsetChanges.inc({ ...this.labels, changetype: 'DELETE' }, deleted);
      if (replaced > 0) this.metrics.rrsetChanges.inc({ ...this.labels, changetype: 'REPLACE' }, replaced);
    });
    const applied: string[] = [];
    const failures: Array<{ zone: string; error: unknown }> = [];
    results.forEach((result, index) => {
      const patch = plan.patches[index]!;
      if (result.status === 'fulfilled') {
        applied.push(patch.zone);
        this.logger.log(`applied ${patch.rrsets.length} rrset changes to zone ${patch.zone}`);
        return;
      }
      failures.push({ zone: patch.zone, error: result.reason });
      this.logFailedPatch(patch, result.reason);
    });
    if (failures.length > 0) {
      const unknown = failures.some((f) => f.error instanceof BackendTimeoutError)
        ? '; a PATCH that timed out may still have been applied'
        : '';
      const done =
        (applied.length > 0 ? `; zones ${applied.join(', ')} were changed` : '; no zone was changed') + unknown;
      throw combineFailures(
        `PowerDNS did not apply the changes to ${failures.map((f) => f.zone).join(', ')}${done}`,
        failures,
      );
    }
  }

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    let zones: string[] | undefined;
    try {
      zones = await this.zones();
    } catch (error) {
      this.logger.debug(`adjusting without the zone list: ${(error as Error).message}`);
    }
    const adjusted: Endpoint[] = [];
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      const result = normalizeEndpoint(endpoint, this.settings.defaultTtl);
      for (const dropped of result.droppedTargets) {
        this.metrics.endpointsDropped.inc({ ...this.labels, reason: 'invalid_target' });
        this.logger.warn(`dropping target of ${describeEndpoint(endpoint)}: ${dropped.problem}`);
      }
      if (!result.ok) {
        this.drop(endpoint, result.reason, result.problem);
        continue;
      }
      const normalized = result.endpoint;
      if (zones && findZone(normalized.dnsName, zones) === undefined) {
        this.drop(endpoint, 'outside_zones', 'it is outside every zone this PowerDNS server holds');
        continue;
      }
      const key = endpointKey(normalized);
      if (seen.has(key)) {
        this.drop(endpoint, 'duplicate', `another endpoint already sets ${describeEndpoint(normalized)}`);
        continue;
      }
      seen.add(key);
      adjusted.push(normalized);
    }
    return adjusted;
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

  /**
   * Reads every zone the plan writes to and rejects the whole batch, before
   * any PATCH, when a change does not fit what Records reports now (a create
   * of an rrset that exists, an update or a delete of one that does not):
   * ExternalDNS planned it on a stale read, and its next reconcile reads again.
   */
  private async checkAgainstZones(
    plan: PlannedChanges,
    reads: ReadonlyMap<string, Promise<PromiseSettledResult<PdnsRrset[]>>>,
    deadline: Deadline,
  ): Promise<void> {
    const zones = plan.patches.map((patch) => patch.zone);
    const results = await Promise.all(
      // Planning started a read of every zone it writes to; a missing one is still read, to stay correct.
      zones.map((zone) => reads.get(zone) ?? settle(this.readZone(zone, deadline))),
    );
    const existing = new Map<string, ReportedRrsets>();
    const failures: Array<{ zone: string; error: unknown }> = [];
    results.forEach((result, index) => {
      const zone = zones[index]!;
      if (result.status === 'rejected') {
        if (result.reason instanceof PowerDnsNotFoundError) {
          this.logger.error(`zone ${zone} does not exist on PowerDNS; no change of the batch was applied`);
        }
        failures.push({ zone, error: result.reason });
        return;
      }
      existing.set(zone, ReportedRrsets.ofZone(result.value, zone));
    });
    if (failures.length > 0) {
      throw combineFailures(
        `could not read ${failures.length} of ${zones.length} zones from PowerDNS to check the batch; no zone was changed`,
        failures,
      );
    }
    const conflicts = findConflicts(plan.patches, existing);
    if (conflicts.length === 0) return;
    this.metrics.batchesRejected.inc({ ...this.labels, reason: 'conflict' });
    const shown = conflicts.length > 10 ? [...conflicts.slice(0, 10), `and ${conflicts.length - 10} more`] : conflicts;
    const message = `batch rejected, nothing was sent to PowerDNS: ${shown.join('; ')}`;
    this.logger.warn(message);
    throw new ChangeRejectedError(message);
  }

  private drop(endpoint: Endpoint, reason: string, problem: string): void {
    this.metrics.endpointsDropped.inc({ ...this.labels, reason });
    this.logger.warn(`dropping ${describeEndpoint(endpoint)}: ${problem}`);
  }

  private zoneId(zone: string): string {
    return this.zoneIds.get(zone) ?? `${zone}.`;
  }

  /** Lists the server's zones (one request in flight at a time) and remembers their ids. */
  private discoverZones(deadline?: Deadline): Promise<string[]> {
    if (!this.zoneFetch) {
      this.zoneFetch = this.client
        .listZones(deadline)
        .then((list) => {
          const names: string[] = [];
          for (const zone of list) {
            const name = normalizeDnsName(zone.name);
            this.zoneIds.set(name, zone.id);
            names.push(name);
          }
          this.zoneCache = { at: Date.now(), zones: names };
          if (this.settings.fixedZones.length === 0) this.metrics.zones.set(this.labels, names.length);
          return names;
        })
        .finally(() => {
          this.zoneFetch = undefined;
        });
    }
    return this.zoneFetch;
  }

  private logFailedPatch(patch: ZonePatch, error: unknown): void {
    if (error instanceof PowerDnsUnprocessableError) {
      const concerned = rrsetsConcerned(patch, error.detail);
      this.logger.error(
        `PowerDNS refused the changes to zone ${patch.zone} (422): ${error.detail}; rrset concerned: ${concerned}`,
      );
    } else if (error instanceof PowerDnsNotFoundError) {
      this.logger.error(
        `zone ${patch.zone} does not exist on PowerDNS; its ${patch.rrsets.length} changes were not applied`,
      );
    } else {
      this.logger.error(`changes to zone ${patch.zone} failed: ${(error as Error).message}`);
    }
  }
}

/** The endpoints Records reports for one zone's rrsets; a name below a managed child zone is that zone's. */
function reportedEndpoints(rrsets: PdnsRrset[] | undefined, zone: string, managed: readonly string[]): Endpoint[] {
  const endpoints: Endpoint[] = [];
  if (!rrsets) return endpoints;
  const children = managed.filter((other) => other !== zone && isWithinDomain(other, zone));
  for (const rrset of rrsets) {
    const endpoint = rrsetToEndpoint(rrset, zone);
    if (!endpoint) continue;
    // A name below a managed child zone belongs to that zone (glue, delegation NS).
    if (children.length > 0 && findZone(endpoint.dnsName, children) !== undefined) continue;
    endpoints.push(endpoint);
  }
  return endpoints;
}

/** The rrsets of a PATCH that PowerDNS's message names, or the first few when it names none. */
export function rrsetsConcerned(patch: ZonePatch, detail: string): string {
  const describe = (rrset: PdnsRrsetChange, index: number): string => {
    const contents = rrset.records?.map((r) => r.content).join(', ');
    return `${rrset.changetype} ${rrset.type} ${rrset.name}${contents ? ` [${contents}]` : ''} (from the ${describeSource(patch, index)})`;
  };
  const lower = detail.toLowerCase();
  const named = patch.rrsets
    .map((rrset, index) => ({ rrset, index }))
    .filter(({ rrset }) => new RegExp(`(^|[\\s'"])${escapeRegExp(rrset.name.toLowerCase())}(/|\\s|$)`).test(lower));
  const exact = named.filter(
    ({ rrset }) =>
      lower.includes(`${rrset.name.toLowerCase()}/${rrset.type.toLowerCase()}`) ||
      lower.includes(` in ${rrset.type.toLowerCase()}`),
  );
  const chosen = exact.length > 0 ? exact : named;
  if (chosen.length > 0) return chosen.map(({ rrset, index }) => describe(rrset, index)).join('; ');
  const shown = patch.rrsets.slice(0, 5).map(describe).join('; ');
  return patch.rrsets.length > 5 ? `${shown}; and ${patch.rrsets.length - 5} more` : shown;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
