import type { CatalogSection } from './option-catalog.js';

export const USAGE = `usage: dnsgate [command]

  (no command)  start the webhook API and the health/metrics server
  check         validate the configuration, reach the backend, print the zones and
                the domain filter dnsgate would announce; exits non-zero with the reason
  --help, -h    this text, with every variable of dnsgate and of its plugins
  --version     the version

dnsgate is configured by environment variables only. A secret option may also be
given as <VARIABLE>_FILE, naming a file that holds it.
`;

/** The usage text and one table per section, from the options' own declarations. */
export function renderHelp(sections: CatalogSection[]): string {
  const lines = [USAGE];
  for (const section of sections) {
    lines.push(`${section.title}`);
    if (section.entries.length === 0) lines.push('  (no options)');
    for (const entry of section.entries) {
      const name = entry.secret ? `${entry.variable} (or ${entry.variable}_FILE)` : entry.variable;
      const defaultText = entry.secret ? 'secret' : entry.defaultValue === '' ? 'none' : entry.defaultValue;
      lines.push(`  ${name}`);
      lines.push(`      ${entry.type}, default: ${defaultText}`);
      lines.push(`      ${entry.description}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
