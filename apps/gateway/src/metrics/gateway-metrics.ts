import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/**
 * Every metric the gateway itself owns, in one registry shared with the
 * plugins' own metrics. Plugin metrics carry `plugin` (the plugin's name)
 * and `instance` (which configured backend), so one dnsgate serving several
 * backends later needs no new names.
 */
export class GatewayMetrics {
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly httpInFlight: Gauge;
  readonly pluginOperationDuration: Histogram<'plugin' | 'instance' | 'operation'>;
  readonly pluginOperationErrors: Counter<'plugin' | 'instance' | 'operation' | 'kind'>;
  readonly pluginRecords: Gauge<'plugin' | 'instance' | 'type'>;
  readonly pluginChangesApplied: Counter<'plugin' | 'instance' | 'action'>;
  readonly pluginChangesRefused: Counter<'plugin' | 'instance' | 'action' | 'reason'>;
  readonly pluginEndpointsDropped: Counter<'plugin' | 'instance' | 'reason'>;
  readonly pluginDryRun: Gauge<'plugin' | 'instance'>;
  readonly pluginReady: Gauge<'plugin' | 'instance'>;
  readonly changesOutOfScope: Counter<'plugin' | 'instance' | 'action'>;
  readonly recordsCacheEnabled: Gauge<'plugin' | 'instance'>;
  readonly recordsCacheRevalidations: Counter<'plugin' | 'instance'>;
  readonly recordsCacheZoneReads: Counter<'plugin' | 'instance' | 'result'>;
  readonly buildInfo: Gauge<'version' | 'node_version'>;

  constructor(readonly registry: Registry) {
    collectDefaultMetrics({ register: registry });
    const registers = [registry];
    this.httpRequests = new Counter({
      name: 'dnsgate_http_requests_total',
      help: 'Webhook requests answered, by route, method and status code (parser rejections included)',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'dnsgate_http_request_duration_seconds',
      help: 'Time from receiving a webhook request to finishing its answer',
      labelNames: ['route', 'method'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.httpInFlight = new Gauge({
      name: 'dnsgate_http_requests_in_flight',
      help: 'Webhook requests being handled now',
      registers,
    });
    this.pluginOperationDuration = new Histogram({
      name: 'dnsgate_plugin_operation_duration_seconds',
      help: 'Time a plugin took for one operation (records, apply_changes, adjust_endpoints, zones, start)',
      labelNames: ['plugin', 'instance', 'operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.pluginOperationErrors = new Counter({
      name: 'dnsgate_plugin_operation_errors_total',
      help: 'Plugin operations that failed, by the kind of error',
      labelNames: ['plugin', 'instance', 'operation', 'kind'],
      registers,
    });
    this.pluginRecords = new Gauge({
      name: 'dnsgate_plugin_records',
      help: 'Record sets the plugin reported at its last successful read, by record type',
      labelNames: ['plugin', 'instance', 'type'],
      registers,
    });
    this.pluginChangesApplied = new Counter({
      name: 'dnsgate_plugin_changes_applied_total',
      help: 'Record set changes the backend confirmed, by action (create, update, delete)',
      labelNames: ['plugin', 'instance', 'action'],
      registers,
    });
    this.pluginChangesRefused = new Counter({
      name: 'dnsgate_plugin_changes_refused_total',
      help: 'Record set changes that did not land, by action and reason (invalid, no_zone, duplicate, conflict, refused, backend, unavailable, timeout, deadline, not_ready)',
      labelNames: ['plugin', 'instance', 'action', 'reason'],
      registers,
    });
    this.pluginEndpointsDropped = new Counter({
      name: 'dnsgate_plugin_endpoints_dropped_total',
      help: 'Desired endpoints AdjustEndpoints dropped because the backend cannot hold them, by reason',
      labelNames: ['plugin', 'instance', 'reason'],
      registers,
    });
    this.pluginDryRun = new Gauge({
      name: 'dnsgate_plugin_dry_run',
      help: '1 when the instance runs in dry-run (DNSGATE_DRY_RUN): ApplyChanges writes nothing',
      labelNames: ['plugin', 'instance'],
      registers,
    });
    this.pluginReady = new Gauge({
      name: 'dnsgate_plugin_ready',
      help: '1 when the plugin is ready to serve, 0 otherwise',
      labelNames: ['plugin', 'instance'],
      registers,
    });
    this.changesOutOfScope = new Counter({
      name: 'dnsgate_changes_out_of_scope_total',
      help: 'Changes dropped because their name is outside the domain filter or every managed zone',
      labelNames: ['plugin', 'instance', 'action'],
      registers,
    });
    this.recordsCacheEnabled = new Gauge({
      name: 'dnsgate_records_cache_enabled',
      help: '1 when the instance keeps its zone reads and revalidates them by zone version (DNSGATE_RECORDS_CACHE)',
      labelNames: ['plugin', 'instance'],
      registers,
    });
    this.recordsCacheRevalidations = new Counter({
      name: 'dnsgate_records_cache_revalidations_total',
      help: 'Zone versions asked of the backend to revalidate a cached zone (an SOA query, a stat, a zone listing entry)',
      labelNames: ['plugin', 'instance'],
      registers,
    });
    this.recordsCacheZoneReads = new Counter({
      name: 'dnsgate_records_cache_zone_reads_total',
      help: 'Zones served by the records cache, by result: hit (unchanged, nothing read), incremental (only the difference read, IXFR), full (read whole)',
      labelNames: ['plugin', 'instance', 'result'],
      registers,
    });
    this.buildInfo = new Gauge({
      name: 'dnsgate_build_info',
      help: 'Always 1; labels name the running version',
      labelNames: ['version', 'node_version'],
      registers,
    });
  }
}
