import { domainToASCII, domainToUnicode } from 'node:url';

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
