import { domainToASCII, domainToUnicode } from 'node:url';
import { upperCased } from './text-case.js';

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;
const A_LABEL = /(^|\.)xn--/i;

/**
 * `name` with every label in its ASCII (A-label, punycode) form, as DNS
 * stores it and ExternalDNS's planner compares it: `bücher.example.org` is
 * `xn--bcher-kva.example.org`. An ASCII name is returned as it is; one IDNA
 * cannot convert is too, for the backend's own name check to refuse.
 */
export function toALabels(name: string): string {
  if (!NON_ASCII.test(name)) return name;
  const rooted = name.endsWith('.');
  const ascii = domainToASCII(rooted ? name.slice(0, -1) : name);
  if (ascii === '') return name;
  return rooted ? `${ascii}.` : ascii;
}

/**
 * `name` in its Unicode (U-label) form, the form ExternalDNS matches domain
 * filters against. A name without A-labels, or one IDNA cannot convert, is
 * returned as it is.
 */
export function toULabels(name: string): string {
  if (!A_LABEL.test(name)) return name;
  return domainToUnicode(name) || name;
}

/** Where a record type's target holds a host name: the whole target, or its nth whitespace-separated field. */
const HOST_FIELD: Readonly<Record<string, number>> = { CNAME: 0, NS: 0, PTR: 0, DNAME: 0, MX: 1, SRV: 3 };

/**
 * The targets with the host names in them as A-labels (`bücher.example.org.`
 * to `xn--bcher-kva.example.org.`, also as the exchange of an MX and the
 * target of an SRV), as the names are: what a backend stores and Records
 * reports, so the next plan shows no change. Other types, and targets with
 * nothing but ASCII, are returned as they are (the same array when nothing changes).
 */
export function targetsToALabels(recordType: string, targets: string[]): string[] {
  const field = HOST_FIELD[upperCased(recordType)];
  if (field === undefined || !someNonAscii(targets)) return targets;
  return targets.map((target) => {
    if (!NON_ASCII.test(target)) return target;
    const fields = target.trim().split(/\s+/);
    if (fields[field] === undefined) return target;
    fields[field] = toALabels(fields[field]!);
    return fields.join(' ');
  });
}

/** Whether a target holds a non-ASCII character (a loop: no closure per call on the path of every change). */
function someNonAscii(targets: readonly string[]): boolean {
  for (const target of targets) if (NON_ASCII.test(target)) return true;
  return false;
}
