import { parseCommandLine } from './command-line.js';
import { renderHelp } from './help.js';
import { gatewaySection, pluginSection, pluginsOfModules } from './option-catalog.js';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';

describe('the command line', () => {
  it('starts without arguments and parses check, --help and --version', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'start' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['check'])).toEqual({ kind: 'check', timeoutMs: 10_000 });
    expect(parseCommandLine(['check', '--timeout=2.5s'])).toEqual({ kind: 'check', timeoutMs: 2500 });
  });

  it('refuses what it does not know instead of starting', () => {
    expect(parseCommandLine(['serve'])).toEqual({ kind: 'usage-error', problem: 'unknown command: serve' });
    expect(parseCommandLine(['check', '--timeout=soon'])).toMatchObject({ kind: 'usage-error' });
  });

  it('--help lists every declared variable with its type, default and meaning, and hides secrets', () => {
    const sections = [gatewaySection(), ...pluginsOfModules(BUILTIN_PLUGINS).map(pluginSection)];
    const help = renderHelp(sections);
    expect(sections.map((s) => s.title.split(':')[0])).toEqual([
      'dnsgate',
      'plugin "file"',
      'plugin "powerdns"',
      'plugin "rfc2136"',
    ]);
    for (const entry of sections.flatMap((s) => s.entries)) {
      expect(help).toContain(entry.variable);
      expect(help).toContain(entry.description);
    }
    expect(help).toMatch(/DNSGATE_WEBHOOK_PORT\n\s+number, default: 8888\n/);
    expect(help).toMatch(/DNSGATE_FILE_ZONES\n\s+list, default: none\n/);
    expect(help).toMatch(/DNSGATE_POWERDNS_API_KEY \(or DNSGATE_POWERDNS_API_KEY_FILE\)\n\s+string, default: secret\n/);
  });
});
