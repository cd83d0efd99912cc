import 'reflect-metadata';
import { createPluginModule } from '@dnsgate/plugin-sdk';
import { HostsPluginFactory } from './hosts.plugin-factory.js';

export { HostsPluginFactory } from './hosts.plugin-factory.js';
export { HostsPluginOptions } from './hosts.options.js';
export { HostsPlugin } from './hosts.plugin.js';
export { BEGIN_MARKER, END_MARKER, parseHostsFile, formatHostsFile } from './hosts-file.js';

/** What dnsgate imports when DNSGATE_PLUGIN=hosts (or dnsgate-plugin-hosts, or a path to this package). */
export const dnsgatePlugin = createPluginModule(HostsPluginFactory);
export default dnsgatePlugin;
