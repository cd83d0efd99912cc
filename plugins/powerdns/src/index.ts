export { PowerDnsPluginModule } from './powerdns-plugin.module.js';
export { PowerDnsPluginFactory } from './powerdns.plugin-factory.js';
export { PowerDnsOptions } from './powerdns.options.js';
export { PowerDnsPlugin, type PowerDnsSettings } from './powerdns.plugin.js';
export { PowerDnsApiClient, type PowerDnsApiClientConfig } from './client/powerdns-api.client.js';
export { PowerDnsAuthError, PowerDnsNotFoundError, PowerDnsUnprocessableError } from './client/powerdns-api.errors.js';
