import { Registry } from 'prom-client';
import type { PluginContext } from '../contract/dns-plugin.interface.js';
import { createPluginMetrics } from '../metrics/plugin-metrics.js';
import { pluginEnvPrefix } from '../options/load-plugin-options.js';

export interface CapturedLogLine {
  level: 'debug' | 'log' | 'warn' | 'error';
  message: string;
}

export interface TestPluginContext extends PluginContext {
  /** Every line the plugin logged, in order. */
  readonly lines: CapturedLogLine[];
  /** The registry the plugin's metrics went to. */
  readonly registry: Registry;
}

/**
 * A PluginContext for tests that drive a plugin directly: it records log
 * lines (so a test can check that a secret never appears) and gives the
 * plugin a registry of its own.
 */
export function createTestPluginContext(pluginName: string, instanceName = pluginName): TestPluginContext {
  const lines: CapturedLogLine[] = [];
  const registry = new Registry();
  const record = (level: CapturedLogLine['level']) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    pluginName,
    instanceName,
    optionPrefix: pluginEnvPrefix(pluginName),
    lines,
    registry,
    metrics: createPluginMetrics(registry, pluginName),
    logger: { debug: record('debug'), log: record('log'), warn: record('warn'), error: record('error') },
  };
}
