import { createPluginModule } from '@dnsgate/plugin-sdk';
import { PowerDnsPluginFactory } from './powerdns.plugin-factory.js';

/** Import it into the gateway to make `DNSGATE_PLUGIN=powerdns` available. */
export const PowerDnsPluginModule = createPluginModule(PowerDnsPluginFactory);
