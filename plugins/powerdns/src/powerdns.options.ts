import { DURATION_PATTERN, PluginOption } from '@dnsgate/plugin-sdk';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

const DNS_NAME = /^(?=.{1,253}\.?$)([a-z0-9_*-]{1,63})(\.[a-z0-9_-]{1,63})*\.?$/i;

/**
 * Options of the `powerdns` plugin, read from `DNSGATE_POWERDNS_<OPTION>`.
 * The README's Options table lists the same, with the defaults below.
 */
export class PowerDnsOptions {
  @PluginOption({ description: 'Base URL of the PowerDNS webserver; a path prefix is kept' })
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'], allow_underscores: true },
    { message: 'must be an http:// or https:// URL' },
  )
  url: string = 'http://127.0.0.1:8081';

  @PluginOption({ description: 'The PowerDNS API key (sent as X-API-Key)', secret: true })
  @IsString({ message: 'is required (or set DNSGATE_POWERDNS_API_KEY_FILE)' })
  @IsNotEmpty({ message: 'must not be empty' })
  apiKey!: string;

  @PluginOption({ description: 'The PowerDNS server id in API paths' })
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must be a server id such as localhost' })
  serverId: string = 'localhost';

  @PluginOption({
    description: 'Zones to manage, comma separated; empty: every zone on the server (cut by the domain filter)',
    type: 'list',
  })
  @Matches(DNS_NAME, { each: true, message: 'must be a comma separated list of DNS zone names' })
  zones: string[] = [];

  @PluginOption({ description: 'PEM file of the CA that signs the PowerDNS TLS certificate' })
  @IsOptional()
  @IsString()
  caFile?: string;

  @PluginOption({ description: 'PEM client certificate for mutual TLS (with CLIENT_KEY_FILE)' })
  @IsOptional()
  @IsString()
  clientCertFile?: string;

  @PluginOption({ description: 'PEM private key of the client certificate' })
  @IsOptional()
  @IsString()
  clientKeyFile?: string;

  @PluginOption({ description: 'Do not verify the PowerDNS TLS certificate (testing only)', type: 'boolean' })
  @IsBoolean()
  skipTlsVerify: boolean = false;

  @PluginOption({ description: 'Time budget of one backend call, retries included (e.g. 5s, 800ms)' })
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 5s or 800ms' })
  timeout: string = '5s';

  @PluginOption({
    description: "Time budget of one whole webhook operation (all zones); keep it under ExternalDNS's 15 s",
  })
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 12s' })
  operationTimeout: string = '12s';

  @PluginOption({ description: 'TTL written when ExternalDNS sets none (seconds)', type: 'number' })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(2147483647)
  defaultTtl: number = 300;

  @PluginOption({ description: 'How many zones are read or patched in parallel', type: 'number' })
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(64)
  concurrency: number = 4;

  @PluginOption({
    description:
      'How zones are read: export (the zone as text, faster; JSON when a zone cannot be read so) or json (the zone API only)',
  })
  @IsIn(['export', 'json'], { message: 'must be export or json' })
  zoneRead: 'export' | 'json' = 'export';

  @PluginOption({
    description: 'Create the zones listed in ZONES that do not exist (Native kind); off: they are only reported',
    type: 'boolean',
  })
  @IsBoolean()
  createZones: boolean = false;

  @PluginOption({ description: 'NS names for zones created by CREATE_ZONES, comma separated', type: 'list' })
  @Matches(DNS_NAME, { each: true, message: 'must be a comma separated list of host names' })
  zoneNameservers: string[] = [];
}
