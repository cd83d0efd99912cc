import { createPluginModule } from '@dnsgate/plugin-sdk';
import { Rfc2136PluginFactory } from './rfc2136.plugin-factory.js';

/** Import this module into the gateway to make `DNSGATE_PLUGIN=rfc2136` available. */
export const Rfc2136PluginModule = createPluginModule(Rfc2136PluginFactory);
