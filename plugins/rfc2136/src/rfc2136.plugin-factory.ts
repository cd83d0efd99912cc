import { DnsgatePlugin, type DnsPlugin, type DnsPluginFactory, type PluginContext } from '@dnsgate/plugin-sdk';
import { Rfc2136Options } from './rfc2136.options.js';
import { Rfc2136Plugin } from './rfc2136.plugin.js';

@DnsgatePlugin({
  name: 'rfc2136',
  description:
    'Any server that takes RFC 2136 dynamic updates (BIND, Knot, PowerDNS, Windows DNS): TSIG-signed UPDATE and AXFR over TCP',
  options: Rfc2136Options,
})
export class Rfc2136PluginFactory implements DnsPluginFactory<Rfc2136Options> {
  create(options: Rfc2136Options, context: PluginContext): DnsPlugin {
    return new Rfc2136Plugin(options, context);
  }
}
