import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MetricSpec<Label extends string> {
  /** The part after `dnsgate_<plugin>_`, e.g. `api_requests_total`. */
  name: string;
  help: string;
  labelNames?: readonly Label[];
}

export interface HistogramSpec<Label extends string> extends MetricSpec<Label> {
  buckets?: number[];
}

/**
 * Creates a plugin's own metrics under `dnsgate_<plugin>_`, in the gateway's
 * registry, so they appear on `/metrics` beside the gateway's. Asking twice
 * for the same name returns the same metric, so several instances of one
 * plugin share it (label them with `instance`).
 */
export interface PluginMetrics {
  readonly prefix: string;
  counter<Label extends string>(spec: MetricSpec<Label>): Counter<Label>;
  gauge<Label extends string>(spec: MetricSpec<Label>): Gauge<Label>;
  histogram<Label extends string>(spec: HistogramSpec<Label>): Histogram<Label>;
}

export function metricNamePrefix(pluginName: string): string {
  return `dnsgate_${pluginName.replace(/[^a-zA-Z0-9_]/g, '_')}_`;
}

export function createPluginMetrics(registry: Registry, pluginName: string): PluginMetrics {
  const prefix = metricNamePrefix(pluginName);
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(prefix + name) as T | undefined;
  return {
    prefix,
    counter: (spec) =>
      existing(spec.name) ??
      new Counter({
        name: prefix + spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
      }),
    gauge: (spec) =>
      existing(spec.name) ??
      new Gauge({
        name: prefix + spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
      }),
    histogram: (spec) =>
      existing(spec.name) ??
      new Histogram({
        name: prefix + spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
        ...(spec.buckets ? { buckets: spec.buckets } : {}),
      }),
  };
}
