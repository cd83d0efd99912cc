import { readFileSync } from 'node:fs';
import {
  DnsgatePlugin,
  PluginConfigError,
  parseDuration,
  normalizeDnsName,
  type DnsPlugin,
  type DnsPluginFactory,
  type PluginContext,
} from '@dnsgate/plugin-sdk';
import { Agent } from 'undici';
import { PowerDnsApiClient } from './client/powerdns-api.client.js';
import { TlsTransport, checkTlsMaterial } from './client/powerdns-tls.js';
import { createPowerDnsMetrics } from './powerdns.metrics.js';
import { PowerDnsOptions } from './powerdns.options.js';
import { PowerDnsPlugin, type PowerDnsSettings } from './powerdns.plugin.js';

/** A discovered zone list is reused this long (one reconcile calls zones() several times). */
export const ZONE_CACHE_MS = 5_000;

/**
 * `DNSGATE_PLUGIN=powerdns`: records in a PowerDNS Authoritative server,
 * through its HTTP API v1.
 */
@DnsgatePlugin({
  name: 'powerdns',
  description: 'PowerDNS Authoritative through its HTTP API v1',
  options: PowerDnsOptions,
})
export class PowerDnsPluginFactory implements DnsPluginFactory<PowerDnsOptions> {
  create(options: PowerDnsOptions, context: PluginContext): DnsPlugin {
    const PREFIX = context.optionPrefix;
    const problems: string[] = [];
    const timeoutMs = parseDuration(options.timeout);
    const operationTimeoutMs = parseDuration(options.operationTimeout);
    if (!timeoutMs || timeoutMs < 1) problems.push(`${PREFIX}TIMEOUT: must be a positive duration such as 5s`);
    if (!operationTimeoutMs || operationTimeoutMs < 1) {
      problems.push(`${PREFIX}OPERATION_TIMEOUT: must be a positive duration such as 12s`);
    }
    const readPem = (variable: string, file: string | undefined): Buffer | undefined => {
      if (!file) return undefined;
      try {
        return readFileSync(file);
      } catch (error) {
        problems.push(
          `${PREFIX}${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        return undefined;
      }
    };
    const ca = readPem('CA_FILE', options.caFile);
    const cert = readPem('CLIENT_CERT_FILE', options.clientCertFile);
    const key = readPem('CLIENT_KEY_FILE', options.clientKeyFile);
    if (Boolean(options.clientCertFile) !== Boolean(options.clientKeyFile)) {
      problems.push(`${PREFIX}CLIENT_CERT_FILE and ${PREFIX}CLIENT_KEY_FILE: set both or neither`);
    }
    const url = new URL(options.url);
    if (url.protocol === 'http:' && (options.caFile || options.clientCertFile || options.skipTlsVerify)) {
      problems.push(`${PREFIX}URL: TLS options are set but the URL is http://; use https://`);
    }
    const material = {
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      rejectUnauthorized: !options.skipTlsVerify,
    };
    if (problems.length === 0) problems.push(...checkTlsMaterial(material, PREFIX));
    if (problems.length > 0) throw new PluginConfigError(context.pluginName, problems);

    if (options.skipTlsVerify) {
      context.logger.warn(`TLS certificate verification of PowerDNS is off (${PREFIX}SKIP_TLS_VERIFY)`);
    }
    const https = url.protocol === 'https:';
    const transport = https ? new TlsTransport(material) : undefined;
    const agent = transport?.agent ?? new Agent();
    const metrics = createPowerDnsMetrics(context.metrics);
    const client = new PowerDnsApiClient({
      baseUrl: options.url,
      apiKey: options.apiKey,
      serverId: options.serverId,
      timeoutMs: timeoutMs!,
      dispatcher: agent,
      hasClientCert: Boolean(cert),
      ...(transport ? { tlsErrorBehind: (error: unknown) => transport.tlsErrorBehind(error) } : {}),
      instance: context.instanceName,
      optionPrefix: PREFIX,
      logger: context.logger,
      metrics,
    });
    const settings: PowerDnsSettings = {
      fixedZones: [...new Set(options.zones.map(normalizeDnsName))],
      defaultTtl: options.defaultTtl,
      concurrency: options.concurrency,
      zoneRead: options.zoneRead,
      operationTimeoutMs: operationTimeoutMs!,
      createZones: options.createZones,
      zoneNameservers: options.zoneNameservers,
      zoneCacheMs: ZONE_CACHE_MS,
    };
    return new PowerDnsPlugin(settings, client, context, metrics, () => agent.close());
  }
}
