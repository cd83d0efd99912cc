import type { Endpoint } from '@dnsgate/protocol';
import type { Deadline } from '../concurrency/deadline.js';
import type { PluginLogger } from './plugin-logger.interface.js';
import type { PluginMetrics } from '../metrics/plugin-metrics.js';
import type { ZoneVersionSource } from './zone-versions.interface.js';

export type Readiness = { ready: true } | { ready: false; reason: string };

/** What the gateway asks of a read: the zones that the domain filter leaves in scope. */
export interface RecordsRequest {
  zones: readonly string[];
}

/**
 * What every backend call carries: the deadline of the webhook call it serves.
 * Start no backend request once it has expired; give each request at most
 * what is left.
 */
export interface CallContext {
  readonly deadline: Deadline;
  /**
   * Given to `records()` only, and only sometimes: where a read may hand over
   * record sets it has finished before it returns (see EarlyEndpoints).
   * Ignoring it is always correct.
   */
  readonly early?: EarlyEndpoints;
}

/**
 * Record sets of a read in progress, handed over before the read returns so
 * that the gateway can serialise them while the plugin still waits for its
 * backend (a 100k-record zone transfer spends about a fifth of its time
 * waiting for the server's next message).
 *
 * What `records()` returns still decides the answer: a batch handed over is
 * used only where the result holds its very objects, next to one another and
 * in its order, so handing over too much, too early or in the wrong order
 * costs time, never correctness. One rule is the plugin's: an endpoint once
 * handed over is never changed again (copy it instead), since its JSON may
 * already be made. The conformance testkit checks that rule.
 */
export interface EarlyEndpoints {
  /**
   * `endpoints`, finished, will be in the result next to one another, in
   * this order. Batches may come in any order (zones read at once, say).
   */
  take(endpoints: readonly Endpoint[]): void;
}

/**
 * A read's answer as JSON, made by the plugin from its backend's bytes
 * without an object per record set (see `DnsPlugin.serialisedRecords`).
 */
export interface SerialisedRecords {
  /**
   * Chunks whose concatenation is the items of the JSON array (no brackets)
   * that `records()` would answer, byte for byte: each record set as
   * `JSON.stringify(toWireEndpoint(endpoint))` writes it (`recordSetJson`
   * makes that), in the same order.
   */
  readonly chunks: readonly Buffer[];
  /** How many record sets the chunks hold. */
  readonly count: number;
  /** How many of each record type, for the gateway's metrics. */
  readonly countsByType: ReadonlyMap<string, number>;
}

/**
 * A desired or current record set checked against what the backend can hold:
 * `endpoint` is exactly the form `records()` reports it in (so ExternalDNS's
 * next plan shows no change), or the reason it cannot be held.
 */
export type RecordCheck =
  | {
      ok: true;
      endpoint: Endpoint;
      /** Targets left out (the rest of the record set is kept), each with why; logged and counted. */
      droppedTargets?: ReadonlyArray<{ target: string; problem: string }>;
    }
  | {
      ok: false;
      /** A short stable word for the metric label, e.g. `txt_too_long`. */
      reason: string;
      /** One sentence for the log and the answer. */
      problem: string;
    };

/**
 * `desired`: a record set to write (create, the new side of an update), checked
 * whole. `current`: one the backend already holds (delete, the old side of an
 * update): only what identifies it and what is needed to remove it matters,
 * so a record set that could not be written today can still be deleted.
 */
export type RecordRole = 'desired' | 'current';

/** The record sets a zone holds now, for the conflict check before a write. */
export interface ZoneState {
  /** Whether the zone holds a record set with this endpoint's (dnsName, recordType, setIdentifier). */
  holds(endpoint: Endpoint): boolean;
}

export type ChangeAction = 'create' | 'update' | 'delete';

/**
 * One change of a batch, checked and normalised by the SDK's batch pipeline.
 * create: `desired` only; delete: `current` only; update: both, same identity.
 */
export interface PlannedChange {
  readonly action: ChangeAction;
  readonly current?: Endpoint;
  readonly desired?: Endpoint;
}

/** Changes to one zone, in the order to apply them: deletes, then updates, then creates. */
export interface ChangeGroup {
  readonly zone: string;
  readonly changes: readonly PlannedChange[];
}

/**
 * What became of a group. Changes not named in `failed` landed: the backend
 * confirmed them. A part that failed with a `GroupRefusedError` is split by the
 * pipeline to find the change(s) responsible; any other error leaves the part
 * not applied, with that error's message as the reason.
 */
export interface GroupResult {
  failed?: ReadonlyArray<{ changes: readonly PlannedChange[]; error: Error }>;
}

/**
 * One running backend, plugin API 2. Small on purpose, like a CoreDNS plugin:
 * lifecycle, readiness, the zones it serves, its records, and the three
 * backend steps of a batch: check a record, read a zone, write a group. The
 * batch itself (scope, normalisation, conflict check, grouping per zone,
 * isolation of what the backend refuses, the deadline, dry-run, the report)
 * belongs to the SDK's pipeline, so every plugin keeps the same contract.
 *
 * Throw the SDK's error types (see `errors/`) so the gateway answers with the
 * status code that makes ExternalDNS retry instead of exit; leave logging of
 * failures to the gateway.
 */
export interface DnsPlugin {
  /**
   * Called once the webhook port listens. May do I/O. A throw is logged and
   * start is retried with backoff; readiness stays false until it succeeds.
   */
  start?(): Promise<void>;
  /** Called on shutdown, after the webhook port stopped taking requests. */
  stop?(): Promise<void>;
  /** Whether the backend can serve now; the reason is shown on `/readyz`. */
  readiness(): Promise<Readiness>;
  /**
   * The zones this backend serves, without trailing dots. May be called
   * before `start()` succeeded: answer from configuration when you can, so
   * ExternalDNS's negotiation works while the backend is down; throw a
   * 5xx error type when the zones must come from the backend.
   */
  zones(): Promise<string[]>;
  /** Every record set of the requested zones, in the form `checkRecord` produces. */
  records(request: RecordsRequest, call: CallContext): Promise<Endpoint[]>;
  /**
   * Optional: `records()` as its answer's JSON, for a backend that sends a
   * read as bytes the plugin can write JSON from as they arrive (a zone
   * transfer). The gateway calls it instead of `records()` when it would
   * send the read unchanged: no records cache for the instance, and no
   * domain filter that could leave out a name of the zones. It saves the
   * object per record set, its collection and its serialising: on a
   * 100k-record zone most of what the read costs beyond the transfer.
   * The conformance testkit holds it to `records()` byte for byte.
   */
  serialisedRecords?(request: RecordsRequest, call: CallContext): Promise<SerialisedRecords>;
  /**
   * Checks one record set against what the backend and its zone loader
   * accept, and normalises it. Synchronous and free of I/O: it runs for every
   * endpoint of AdjustEndpoints and of each batch. `zone` is the managed zone
   * that holds the name (the SDK found it on a label boundary).
   */
  checkRecord(endpoint: Endpoint, zone: string, role: RecordRole): RecordCheck;
  /** The record sets `zone` holds now, for the conflict check of a batch. */
  readZoneState(zone: string, call: CallContext): Promise<ZoneState>;
  /**
   * Writes one group of changes to one zone. Atomic where the backend allows
   * it; where it does not, say in `GroupResult.failed` exactly which parts did
   * not land. Throw when nothing of the group landed.
   */
  writeGroup(group: ChangeGroup, call: CallContext): Promise<GroupResult | void>;
  /** Limits the pipeline keeps for this backend (defaults: 4 zone reads, 1 group write at a time). */
  readonly concurrency?: { zoneReads?: number; groupWrites?: number };
  /**
   * Optional: zone versions (SOA serials, file identity) that let the
   * gateway's records cache serve an unchanged zone without reading it, and
   * read only the difference of a changed one where the backend can.
   */
  readonly zoneVersions?: ZoneVersionSource;
}

/** What the gateway hands a plugin when it creates an instance. */
export interface PluginContext {
  /** The plugin's registered name, e.g. `powerdns`. */
  readonly pluginName: string;
  /** The instance's name; the plugin's name when one backend is configured. */
  readonly instanceName: string;
  /**
   * Where the instance's options were read from: `DNSGATE_<PLUGIN>_`, or
   * `DNSGATE_BACKEND_<INSTANCE>_<PLUGIN>_` when dnsgate runs several
   * backends. For naming a variable in a message; the SDK reads the options.
   */
  readonly optionPrefix: string;
  readonly logger: PluginLogger;
  /** Metrics under `dnsgate_<plugin>_…`. */
  readonly metrics: PluginMetrics;
}

/**
 * A plugin's entry point, registered with `@DnsgatePlugin`. The gateway
 * validates the options from the environment and then calls `create` once
 * per backend instance.
 */
export interface DnsPluginFactory<Options extends object = object> {
  create(options: Options, context: PluginContext): DnsPlugin;
}
