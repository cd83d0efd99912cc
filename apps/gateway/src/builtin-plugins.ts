import type { DynamicModule } from '@nestjs/common';
import { FilePluginModule } from '@dnsgate/plugin-file';
import { PowerDnsPluginModule } from '@dnsgate/plugin-powerdns';
import { Rfc2136PluginModule } from '@dnsgate/plugin-rfc2136';

/** The plugins that ship with dnsgate. They register exactly as a third party's package would. */
export const BUILTIN_PLUGINS: DynamicModule[] = [FilePluginModule, PowerDnsPluginModule, Rfc2136PluginModule];
