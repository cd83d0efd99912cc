import { describeUnknownVariable, findUnknownVariables } from './unknown-variables.js';
import { gatewaySection, knownVariables, pluginSection, pluginsOfModules } from './option-catalog.js';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';

describe('unknown DNSGATE_* variables', () => {
  const known = knownVariables([gatewaySection(), ...pluginsOfModules(BUILTIN_PLUGINS).map(pluginSection)]);

  it('knows the gateway variables, every built-in plugin option and the _FILE form of secrets only', () => {
    expect(known).toEqual(
      expect.arrayContaining([
        'DNSGATE_PLUGIN',
        'DNSGATE_WEBHOOK_PORT',
        'DNSGATE_FILE_ZONES',
        'DNSGATE_POWERDNS_API_KEY',
        'DNSGATE_POWERDNS_API_KEY_FILE',
        'DNSGATE_RFC2136_TSIG_SECRET_FILE',
      ]),
    );
    expect(known).not.toContain('DNSGATE_FILE_ZONES_FILE');
  });

  it('names the closest known variable for a typo, and ignores variables that are not dnsgate’s', () => {
    const unknown = findUnknownVariables(
      {
        DNSGATE_POWERDNS_APIKEY: 'secret-value',
        DNSGATE_FILE_ZONE: 'example.org',
        DNSGATE_FILE_ZONES: 'example.org',
        DNSGATE_SOMETHING_ELSE_ENTIRELY: '1',
        HOME: '/root',
      },
      known,
    );
    expect(unknown).toEqual([
      { variable: 'DNSGATE_FILE_ZONE', closest: 'DNSGATE_FILE_ZONES' },
      { variable: 'DNSGATE_POWERDNS_APIKEY', closest: 'DNSGATE_POWERDNS_API_KEY' },
      { variable: 'DNSGATE_SOMETHING_ELSE_ENTIRELY' },
    ]);
    const lines = unknown.map(describeUnknownVariable).join('\n');
    expect(lines).toContain(
      'DNSGATE_POWERDNS_APIKEY is not a dnsgate variable and is ignored; did you mean DNSGATE_POWERDNS_API_KEY?',
    );
    expect(lines).not.toContain('secret-value');
  });
});
