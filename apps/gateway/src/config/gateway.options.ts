import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';
import { DURATION_PATTERN, PluginOption, RECORDS_CACHE_MODES, type RecordsCacheMode } from '@dnsgate/plugin-sdk';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * dnsgate's own settings, read from `DNSGATE_*` with the same loader plugins
 * use, so the gateway and every plugin report configuration errors alike.
 */
export class GatewayOptions {
  @PluginOption({ description: 'The backend plugin: a built-in name (file, powerdns, rfc2136) or a plugin package' })
  @IsString()
  @IsNotEmpty()
  plugin = 'file';

  @PluginOption({ description: 'Address of the webhook API; keep it on loopback, ExternalDNS runs in the same pod' })
  @IsString()
  @IsNotEmpty()
  webhookHost = '127.0.0.1';

  @PluginOption({ description: 'Port of the webhook API (0 picks a free one)' })
  @IsInt()
  @Min(0)
  @Max(65535)
  webhookPort = 8888;

  @PluginOption({
    description:
      'Path the webhook API is served under, the path of ExternalDNS --webhook-provider-url (e.g. /dns); empty for none',
  })
  @IsString()
  webhookPathPrefix = '';

  @PluginOption({ description: 'Address of /healthz, /readyz and /metrics' })
  @IsString()
  @IsNotEmpty()
  healthHost = '0.0.0.0';

  @PluginOption({ description: 'Port of /healthz, /readyz and /metrics (0 picks a free one)' })
  @IsInt()
  @Min(0)
  @Max(65535)
  healthPort = 8080;

  @PluginOption({
    env: 'DOMAIN_FILTER',
    description: 'Domains to manage, comma separated; `.zone` means subdomains only',
  })
  @IsString({ each: true })
  domainFilter: string[] = [];

  @PluginOption({
    env: 'EXCLUDE_DOMAINS',
    description: 'Domains never to manage, comma separated; wins over the filter',
  })
  @IsString({ each: true })
  excludeDomains: string[] = [];

  @PluginOption({
    env: 'REGEX_DOMAIN_FILTER',
    description: 'A regular expression names must match (instead of the lists)',
  })
  @IsString()
  regexDomainFilter = '';

  @PluginOption({ env: 'REGEX_DOMAIN_EXCLUSION', description: 'A regular expression names must not match' })
  @IsString()
  regexDomainExclusion = '';

  @PluginOption({ description: 'error, warn, info or debug' })
  @IsIn(LOG_LEVELS)
  logLevel: LogLevelName = 'info';

  @PluginOption({ description: 'text, or json for one JSON object per line' })
  @IsIn(['text', 'json'])
  logFormat: 'text' | 'json' = 'text';

  @PluginOption({
    description:
      'Budget of every webhook call (e.g. 12s, 500ms): a call still running then is answered 504, a soft error; ' +
      "below ExternalDNS's 15 s client timeout",
  })
  @IsString()
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 12s or 8000ms' })
  requestTimeout = '12s';

  @PluginOption({
    description: 'Read, check and plan every ApplyChanges as usual, log what it would change, and write nothing',
  })
  @IsBoolean()
  dryRun = false;

  @PluginOption({
    description:
      "Keep each zone's last read and serve it while the backend says the zone did not change (its SOA serial, " +
      "the file's identity): auto (on where that is exact: file, rfc2136), on, or off",
  })
  @IsIn(RECORDS_CACHE_MODES)
  recordsCache: RecordsCacheMode = 'auto';

  @PluginOption({
    description:
      'A cached zone read whole longer ago than this (e.g. 10m, 90s) is read whole again, for changes its version does not show',
  })
  @IsString()
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 10m or 90s' })
  recordsCacheMaxAge = '10m';

  @PluginOption({
    description:
      'Milliseconds a request may take to arrive, headers and body, on both ports; idle keep-alive connections are not cut',
  })
  @IsInt()
  @Min(100)
  requestReceiveTimeoutMs = 30_000;

  @PluginOption({ description: 'Milliseconds a shutdown waits for requests in flight before it stops the plugin' })
  @IsInt()
  @Min(0)
  shutdownTimeoutMs = 10_000;
}
