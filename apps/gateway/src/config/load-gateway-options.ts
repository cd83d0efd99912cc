import {
  ConfigError,
  DomainFilterError,
  DomainFilterMatcher,
  loadEnvOptions,
  parseDuration,
} from '@dnsgate/plugin-sdk';
import { normalizePathPrefix } from '../webhook/webhook-path-prefix.js';
import { GatewayOptions } from './gateway.options.js';

/** Reads and checks dnsgate's own settings; throws a ConfigError naming every bad variable. */
export function loadGatewayOptions(env: NodeJS.ProcessEnv): GatewayOptions {
  const { options } = loadEnvOptions(GatewayOptions, 'DNSGATE_', env);
  const problems: string[] = [];
  const timeoutMs = callBudgetMs(options);
  if (timeoutMs < 100 || timeoutMs >= EXTERNAL_DNS_CALL_TIMEOUT_MS) {
    problems.push(
      `DNSGATE_REQUEST_TIMEOUT: must be at least 100ms and below ExternalDNS's 15s client timeout (answering after it is fatal to ExternalDNS), got ${JSON.stringify(options.requestTimeout)}`,
    );
  }
  try {
    configuredDomainFilter(options);
  } catch (error) {
    if (!(error instanceof DomainFilterError)) throw error;
    problems.push(error.message);
  }
  try {
    options.webhookPathPrefix = normalizePathPrefix(options.webhookPathPrefix);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigError('dnsgate', problems);
  return options;
}

/** ExternalDNS's webhook client gives a whole call read + write timeout: 5 s + 10 s by default. */
export const EXTERNAL_DNS_CALL_TIMEOUT_MS = 15_000;

/** DNSGATE_REQUEST_TIMEOUT in milliseconds (validated at load). */
export function callBudgetMs(options: GatewayOptions): number {
  return parseDuration(options.requestTimeout) ?? 12_000;
}

/** The filter the operator configured, before it is cut to the plugin's zones. */
export function configuredDomainFilter(options: GatewayOptions): DomainFilterMatcher {
  return new DomainFilterMatcher({
    include: options.domainFilter,
    exclude: options.excludeDomains,
    ...(options.regexDomainFilter ? { regexInclude: options.regexDomainFilter } : {}),
    ...(options.regexDomainExclusion ? { regexExclude: options.regexDomainExclusion } : {}),
  });
}
