import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Max,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { PluginOption } from '@dnsgate/plugin-sdk';
import { TSIG_ALGORITHMS, type TsigAlgorithm } from './dns/tsig.signer.js';
import { parseHost } from './transport/host-selector.js';

export const LOAD_BALANCING_MODES = ['failover', 'round-robin', 'random'] as const;
export type LoadBalancing = (typeof LOAD_BALANCING_MODES)[number];

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function validHosts(value: unknown): boolean {
  return Array.isArray(value) && value.every((host) => typeof host === 'string' && parseHost(host) !== undefined);
}

/** The TSIG settings must add up: a key and a secret, or INSECURE, never both or neither. */
function tsigProblem(options: Rfc2136Options): string | undefined {
  const hasName = options.tsigKeyname.trim() !== '';
  const hasSecret = options.tsigSecret !== '';
  if (options.insecure) {
    if (hasName || hasSecret) return 'INSECURE=true sends updates unsigned; do not also set TSIG_KEYNAME / TSIG_SECRET';
    return undefined;
  }
  if (!hasName || !hasSecret) {
    return 'set TSIG_KEYNAME and TSIG_SECRET (or TSIG_SECRET_FILE), or INSECURE=true to send unsigned updates';
  }
  if (!BASE64.test(options.tsigSecret.trim())) return 'TSIG_SECRET must be base64 (its value is not shown)';
  return undefined;
}

function axfrProblem(options: Rfc2136Options): string | undefined {
  const hasName = options.axfrTsigKeyname.trim() !== '';
  const hasSecret = options.axfrTsigSecret !== '';
  if (hasName !== hasSecret) return 'set both AXFR_TSIG_KEYNAME and AXFR_TSIG_SECRET, or neither';
  if (hasSecret && !BASE64.test(options.axfrTsigSecret.trim()))
    return 'AXFR_TSIG_SECRET must be base64 (its value is not shown)';
  return undefined;
}

/** Options of the `rfc2136` plugin, from `DNSGATE_RFC2136_*`. */
export class Rfc2136Options {
  @PluginOption({
    description:
      'The DNS servers taking updates, as host[:port] (IPv6 as [addr]:port), comma or space separated; port 53 by default',
  })
  @ArrayNotEmpty({ message: 'name at least one server, e.g. 127.0.0.1:53' })
  @ValidateBy({
    name: 'hosts',
    validator: {
      validate: validHosts,
      defaultMessage: () => 'each entry must be host or host:port (IPv6 as [addr]:port)',
    },
  })
  hosts: string[] = [];

  @PluginOption({ description: 'The zones to manage, comma or space separated (required)' })
  @ArrayNotEmpty({ message: 'name at least one zone' })
  zones: string[] = [];

  @PluginOption({
    description: 'The TSIG key name for updates (and transfers, unless AXFR_TSIG_* is set)',
    env: 'TSIG_KEYNAME',
  })
  @IsString()
  @ValidateBy({
    name: 'tsig',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        tsigProblem(args!.object as Rfc2136Options) === undefined,
      defaultMessage: (args?: ValidationArguments) => tsigProblem(args!.object as Rfc2136Options) ?? '',
    },
  })
  tsigKeyname = '';

  @PluginOption({ description: 'The TSIG secret, base64', secret: true, env: 'TSIG_SECRET' })
  @IsString()
  tsigSecret = '';

  @PluginOption({ description: `The TSIG algorithm: ${TSIG_ALGORITHMS.join(', ')}`, env: 'TSIG_ALG' })
  @IsIn([...TSIG_ALGORITHMS])
  tsigAlg: TsigAlgorithm = 'hmac-sha256';

  @PluginOption({ description: 'A separate TSIG key name for zone transfers (AXFR)', env: 'AXFR_TSIG_KEYNAME' })
  @IsString()
  @ValidateBy({
    name: 'axfrTsig',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        axfrProblem(args!.object as Rfc2136Options) === undefined,
      defaultMessage: (args?: ValidationArguments) => axfrProblem(args!.object as Rfc2136Options) ?? '',
    },
  })
  axfrTsigKeyname = '';

  @PluginOption({ description: 'The secret of the transfer key, base64', secret: true, env: 'AXFR_TSIG_SECRET' })
  @IsString()
  axfrTsigSecret = '';

  @PluginOption({ description: 'The algorithm of the transfer key', env: 'AXFR_TSIG_ALG' })
  @IsIn([...TSIG_ALGORITHMS])
  axfrTsigAlg: TsigAlgorithm = 'hmac-sha256';

  @PluginOption({ description: 'Send updates and transfers without TSIG; must be set explicitly' })
  @IsBoolean()
  insecure = false;

  @PluginOption({ description: 'The lowest TTL written; lower TTLs are raised to it', env: 'MIN_TTL' })
  @IsInt()
  @Min(0)
  @Max(2147483647)
  minTtl = 0;

  @PluginOption({
    description: 'The TTL written when an endpoint has none (0 only if you really want TTL 0)',
    env: 'DEFAULT_TTL',
  })
  @IsInt()
  @Min(0)
  @Max(2147483647)
  defaultTtl = 300;

  /**
   * 1000 by default: a message also stops at about 64 KB (about 800 A creates with their prerequisites), so the
   * default packs messages as full as DNS over TCP allows. BIND commits each message as one transaction (journal
   * write, serial bump), so fewer, fuller messages cost it less: 10k creates took 315-550 ms in messages of up to
   * 1000 against 2.3-2.9 s in messages of 50 (plugin alone, the same BIND, one run on the loaded 2-core machine).
   */
  @PluginOption({
    description: 'The most changes (endpoints) in one UPDATE message; a message also stops at about 64 KB',
  })
  @IsInt()
  @Min(1)
  @Max(10000)
  batchSize = 1000;

  @PluginOption({ description: `How to pick a server: ${LOAD_BALANCING_MODES.join(', ')}` })
  @IsIn([...LOAD_BALANCING_MODES])
  loadBalancing: LoadBalancing = 'failover';

  @PluginOption({ description: 'Seconds to wait for a connection or for each answer, per server' })
  @IsNumber()
  @Min(0.05)
  @Max(300)
  timeout = 10;
}
