import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIpv6, normalizeDnsName } from '@dnsgate/plugin-sdk';

/**
 * The managed part of the file sits between these two lines; everything
 * else is the operator's and is written back byte for byte.
 */
export const BEGIN_MARKER =
  '# BEGIN dnsgate-plugin-hosts: managed by dnsgate, edits between these lines are overwritten';
export const END_MARKER = '# END dnsgate-plugin-hosts';

/** One address for one name, as one line of the managed block. */
export interface HostsEntry {
  address: string;
  name: string;
}

export interface HostsFile {
  /** The operator's lines before the managed block (or all of them, when there is none yet). */
  head: string[];
  entries: HostsEntry[];
  /** The operator's lines after the managed block. */
  tail: string[];
  /** Whether the text ended with a newline; kept so an untouched file stays identical. */
  finalNewline: boolean;
  /** Lines inside the block that are not `<address> <name>…`: kept, so a hand edit is never lost silently. */
  strayLines: string[];
}

export class HostsFileFormatError extends Error {
  override readonly name = 'HostsFileFormatError';
}

export function parseHostsFile(text: string): HostsFile {
  const finalNewline = text === '' || text.endsWith('\n');
  const lines = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
  const begin = lines.indexOf(BEGIN_MARKER);
  if (begin === -1) {
    if (lines.includes(END_MARKER)) throw new HostsFileFormatError(`"${END_MARKER}" without "${BEGIN_MARKER}"`);
    return { head: lines, entries: [], tail: [], finalNewline, strayLines: [] };
  }
  const end = lines.indexOf(END_MARKER, begin + 1);
  if (end === -1) throw new HostsFileFormatError(`"${BEGIN_MARKER}" without "${END_MARKER}"`);
  if (lines.indexOf(BEGIN_MARKER, begin + 1) !== -1) throw new HostsFileFormatError('two managed blocks');
  const entries: HostsEntry[] = [];
  const strayLines: string[] = [];
  for (const line of lines.slice(begin + 1, end)) {
    const content = line.replace(/#.*$/, '').trim();
    if (content === '') continue;
    const [address, ...names] = content.split(/\s+/);
    if (!address || names.length === 0 || !(isIPv4(address) || isIPv6(address))) {
      strayLines.push(line);
      continue;
    }
    for (const name of names) entries.push({ address: canonicalAddress(address), name: normalizeDnsName(name) });
  }
  return { head: lines.slice(0, begin), entries, tail: lines.slice(end + 1), finalNewline, strayLines };
}

/** The file with `entries` as its managed block, sorted so that a rewrite of the same records is byte-identical. */
export function formatHostsFile(file: HostsFile, entries: readonly HostsEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) =>
      compare(a.name, b.name) || compare(familyOf(a.address), familyOf(b.address)) || compare(a.address, b.address),
  );
  const block = [BEGIN_MARKER, ...file.strayLines, ...sorted.map((e) => `${e.address}\t${e.name}`), END_MARKER];
  const lines = [...file.head, ...block, ...file.tail];
  return `${lines.join('\n')}\n`;
}

/**
 * IPv6 in the SDK's canonical form, so that AdjustEndpoints and Records agree
 * whatever form the source used.
 */
export function canonicalAddress(address: string): string {
  if (isIPv4(address)) return address;
  const canonical = canonicalIpv6(address);
  if (canonical === undefined) throw new RangeError(`not an IP address: ${address}`);
  return canonical;
}

export function familyOf(address: string): 'A' | 'AAAA' {
  return isIPv4(address) ? 'A' : 'AAAA';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
