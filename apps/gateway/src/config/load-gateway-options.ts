import { ConfigError, DomainFilterError, DomainFilterMatcher, loadEnvOptions } from '@dnsgate/plugin-sdk';
import { GatewayOptions } from './gateway.options.js';

/** Reads and checks dnsgate's own settings; throws a ConfigError naming every bad variable. */
export function loadGatewayOptions(env: NodeJS.ProcessEnv): GatewayOptions {
  const { options } = loadEnvOptions(GatewayOptions, 'DNSGATE_', env);
  try {
    configuredDomainFilter(options);
  } catch (error) {
    if (error instanceof DomainFilterError) throw new ConfigError('dnsgate', [error.message]);
    throw error;
  }
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
