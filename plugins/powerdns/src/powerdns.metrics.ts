import type { PluginMetrics } from '@dnsgate/plugin-sdk';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** The plugin's own metrics, all under `dnsgate_powerdns_` and labelled by instance. */
export interface PowerDnsMetrics {
  /** Every API call by method and outcome (HTTP status, `timeout` or `unreachable`). */
  apiRequests: Counter<'instance' | 'method' | 'code'>;
  apiRequestDuration: Histogram<'instance' | 'method'>;
  /** GETs tried again after a transient failure. */
  apiRetries: Counter<'instance'>;
  /** rrsets sent to PowerDNS by change type. */
  rrsetChanges: Counter<'instance' | 'changetype'>;
  /** Zone reads that fell back from the text export to the JSON API (`format`, `export_refused`). */
  zoneReadFallbacks: Counter<'instance' | 'reason'>;
  /** Zones managed (fixed or discovered) at the last look. */
  zones: Gauge<'instance'>;
  /** Managed zones that do not exist on the server. */
  zonesMissing: Gauge<'instance'>;
  /** 1 when the last readiness probe succeeded. */
  up: Gauge<'instance'>;
}

export function createPowerDnsMetrics(metrics: PluginMetrics): PowerDnsMetrics {
  return {
    apiRequests: metrics.counter({
      name: 'api_requests_total',
      help: 'PowerDNS API requests by method and outcome (HTTP status, timeout, unreachable)',
      labelNames: ['instance', 'method', 'code'],
    }),
    apiRequestDuration: metrics.histogram({
      name: 'api_request_duration_seconds',
      help: 'Duration of PowerDNS API requests',
      labelNames: ['instance', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    apiRetries: metrics.counter({
      name: 'api_retries_total',
      help: 'PowerDNS API reads tried again after a transient failure',
      labelNames: ['instance'],
    }),
    rrsetChanges: metrics.counter({
      name: 'rrset_changes_total',
      help: 'rrsets sent to PowerDNS in PATCH requests, by changetype',
      labelNames: ['instance', 'changetype'],
    }),
    zoneReadFallbacks: metrics.counter({
      name: 'zone_read_fallbacks_total',
      help: 'Zone reads done with the JSON API because the text export could not be used, by reason (format, export_refused)',
      labelNames: ['instance', 'reason'],
    }),
    zones: metrics.gauge({ name: 'zones', help: 'Zones managed at the last look', labelNames: ['instance'] }),
    zonesMissing: metrics.gauge({
      name: 'zones_missing',
      help: 'Configured zones that do not exist on the PowerDNS server',
      labelNames: ['instance'],
    }),
    up: metrics.gauge({
      name: 'up',
      help: '1 when the last readiness probe of the PowerDNS API succeeded',
      labelNames: ['instance'],
    }),
  };
}
