import { ConfigError, DomainFilterError, DomainFilterMatcher, loadEnvOptions } from '@dnsgate/plugin-sdk';
import { normalizePathPrefix } from '../webhook/webhook-path-prefix.js';
import { GatewayOptions } from './gateway.options.js';

/** Reads and checks dnsgate's own settings; throws a ConfigError naming every bad variable. */
export function loadGatewayOptions(env: NodeJS.ProcessEnv): GatewayOptions {
  const { options } = loadEnvOptions(GatewayOptions, 'DNSGATE_', env);
  const problems: string[] = [];
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

/** The filter the operator configured, before it is cut to the plugin's zones. */
export function configuredDomainFilter(options: GatewayOptions): DomainFilterMatcher {
  return new DomainFilterMatcher({
    include: options.domainFilter,
    exclude: options.excludeDomains,
    ...(options.regexDomainFilter ? { regexInclude: options.regexDomainFilter } : {}),
    ...(options.regexDomainExclusion ? { regexExclude: options.regexDomainExclusion } : {}),
  });
}
