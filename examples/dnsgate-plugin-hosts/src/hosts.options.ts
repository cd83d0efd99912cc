import { PluginOption } from '@dnsgate/plugin-sdk';
import { ArrayNotEmpty, IsNotEmpty, IsString, Matches } from 'class-validator';

/** Filled from `DNSGATE_HOSTS_<OPTION>` by the gateway (or `loadPluginOptions` in tests). */
export class HostsPluginOptions {
  @PluginOption({
    description: 'Path of the hosts-format file to manage, e.g. /etc/dnsmasq.hosts/dnsgate',
    type: 'string',
  })
  @IsString()
  @IsNotEmpty({ message: 'is required: the path of the hosts file to manage' })
  file = '';

  @PluginOption({ description: 'The DNS zones whose names go in the file, comma separated', type: 'list' })
  @ArrayNotEmpty({ message: 'is required: at least one zone, e.g. home.example.com' })
  @IsString({ each: true })
  @Matches(/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i, {
    each: true,
    message: 'each zone must be a DNS name such as home.example.com',
  })
  zones: string[] = [];
}
