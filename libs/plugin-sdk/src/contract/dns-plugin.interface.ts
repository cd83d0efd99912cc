import type { Changes, Endpoint } from '@dnsgate/protocol';
import type { PluginLogger } from './plugin-logger.interface.js';
import type { PluginMetrics } from '../metrics/plugin-metrics.js';

export type Readiness = { ready: true } | { ready: false; reason: string };

/** What the gateway asks of a read: the zones that the domain filter leaves in scope. */
export interface RecordsRequest {
  zones: readonly string[];
}

/**
 * One running backend. Small on purpose, like a CoreDNS plugin: lifecycle,
 * readiness, the zones it serves, and the three webhook operations.
 *
 * Throw the SDK's error types (see `errors/`) so the gateway answers with the
 * status code that makes ExternalDNS retry instead of exit.
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
  /** Every record set of the requested zones, in the form AdjustEndpoints produces. */
  records(request: RecordsRequest): Promise<Endpoint[]>;
  /**
   * Apply a batch. The gateway has already removed changes outside the domain
   * filter. Validate the whole batch before changing anything.
   */
  applyChanges(changes: Changes): Promise<void>;
  /**
   * Normalise desired endpoints to exactly the form `records()` reports, and
   * drop (with a log line) what the backend cannot hold.
   */
  adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]>;
}

/** What the gateway hands a plugin when it creates an instance. */
export interface PluginContext {
  /** The plugin's registered name, e.g. `powerdns`. */
  readonly pluginName: string;
  /** The instance's name; today equal to the plugin name, later one per configured backend. */
  readonly instanceName: string;
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
