import { PluginOption } from '@dnsgate/plugin-sdk';
import { ArrayNotEmpty, IsArray, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

// A zone or host name as written in configuration: labels of a-z, 0-9, `-`,
// `_`, optionally with the trailing dot.
const DNS_NAME =
  /^(?=.{1,254}$)([a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.?$/;

/** Options of the file plugin, from `DNSGATE_FILE_<OPTION>`. */
export class FilePluginOptions {
  @PluginOption({
    description: 'Directory holding one zone file per zone (`<zone>.zone` or `db.<zone>`); created if missing.',
  })
  @IsString()
  @IsNotEmpty()
  dir = './data/zones';

  @PluginOption({
    description: 'Zones to manage, comma or space separated; a missing zone file is created with an SOA and NS record.',
    type: 'list',
  })
  @IsArray()
  @Matches(DNS_NAME, { each: true, message: 'each zone must be a DNS name like example.com' })
  zones: string[] = [];

  @PluginOption({ description: 'TTL in seconds for records ExternalDNS sends without one (or with 0).' })
  @IsInt()
  @Min(1)
  @Max(2147483647)
  defaultTtl = 300;

  @PluginOption({ description: 'NS targets written at the apex of a zone the plugin creates.', type: 'list' })
  @IsArray()
  @ArrayNotEmpty()
  @Matches(DNS_NAME, { each: true, message: 'each name server must be a host name like ns1.example.net' })
  nameservers: string[] = ['localhost'];

  @PluginOption({
    description: 'How long a change waits for another writer’s lock on a zone file before failing (ms).',
  })
  @IsInt()
  @Min(1)
  lockTimeoutMs = 10_000;
}
