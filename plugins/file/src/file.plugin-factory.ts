import { DnsgatePlugin, type DnsPlugin, type DnsPluginFactory, type PluginContext } from '@dnsgate/plugin-sdk';
import { FilePlugin } from './file.plugin.js';
import { FilePluginOptions } from './file.options.js';

@DnsgatePlugin({
  name: 'file',
  description: 'RFC 1035 zone files on disk, one per zone (the embedded default)',
  options: FilePluginOptions,
})
export class FilePluginFactory implements DnsPluginFactory<FilePluginOptions> {
  create(options: FilePluginOptions, context: PluginContext): DnsPlugin {
    return new FilePlugin(options, context);
  }
}
