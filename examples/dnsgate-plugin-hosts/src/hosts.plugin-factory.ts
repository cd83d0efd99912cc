import { DnsgatePlugin, type DnsPluginFactory, type PluginContext } from '@dnsgate/plugin-sdk';
import { HostsPluginOptions } from './hosts.options.js';
import { HostsPlugin } from './hosts.plugin.js';

@DnsgatePlugin({
  name: 'hosts',
  description: 'A and AAAA records in an /etc/hosts-format file, for dnsmasq or CoreDNS hosts',
  options: HostsPluginOptions,
})
export class HostsPluginFactory implements DnsPluginFactory<HostsPluginOptions> {
  create(options: HostsPluginOptions, context: PluginContext): HostsPlugin {
    return new HostsPlugin(options, context);
  }
}
