import { InvalidRecordError } from './zone-file.errors.js';

// Letters, digits, `-` and `_` (service labels like `_sip._tcp`); `*` only as
// a whole leftmost label. Anything else (blank space, `;`, `$`, quotes,
// parentheses, backslashes, `@`) could change how a master file is read, so
// it is refused instead of escaped: ExternalDNS never needs it.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

export interface HostnameRules {
  /** Allow a leftmost `*` label (owner names only). */
  wildcard?: boolean;
  /** Allow the root, `.` (SRV/MX/NAPTR targets meaning "none"). */
  root?: boolean;
}

/**
 * A host name as ExternalDNS sends it, checked and in canonical form:
 * lower case, no trailing dot. Throws InvalidRecordError naming the problem.
 */
export function canonicalHostname(input: string, rules: HostnameRules = {}): string {
  if (rules.root && input === '.') return '.';
  const name = input.toLowerCase().replace(/\.$/, '');
  if (name === '') throw new InvalidRecordError(`empty name ${JSON.stringify(input)}`);
  if (name.length > 253) throw new InvalidRecordError(`name longer than 253 characters: ${JSON.stringify(input)}`);
  const labels = name.split('.');
  labels.forEach((label, index) => {
    if (label === '*' && index === 0 && rules.wildcard) return;
    if (!LABEL.test(label)) {
      throw new InvalidRecordError(
        `invalid name ${JSON.stringify(input)}: label ${JSON.stringify(label)} must be 1-63 of a-z, 0-9, "-", "_"`,
      );
    }
  });
  return name;
}

/**
 * An absolute name from a master-file field: `@` is the origin, a name
 * without a trailing (unescaped) dot is relative to it. Lower case, without
 * the trailing dot; escapes are kept as written.
 */
export function resolveZoneName(raw: string, origin: string): string {
  if (raw === '@') return origin;
  if (raw === '.') return '.';
  let escaped = false;
  for (let i = raw.length - 2; i >= 0 && raw[i] === '\\'; i--) escaped = !escaped;
  const absolute = raw.endsWith('.') && !escaped;
  const name = absolute ? raw.slice(0, -1) : origin === '' || origin === '.' ? raw : `${raw}.${origin}`;
  return name.toLowerCase();
}

/** `name` as an owner field under `$ORIGIN origin`: `@`, relative, or absolute with a dot. */
export function relativeOwner(name: string, origin: string): string {
  if (name === origin) return '@';
  if (name.endsWith(`.${origin}`)) return name.slice(0, -(origin.length + 1));
  return `${name}.`;
}

/** Sorts names the way DNSSEC canonical order roughly does: by labels from the right. */
export function compareNames(a: string, b: string): number {
  const la = a.split('.').reverse();
  const lb = b.split('.').reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return la[i]! < lb[i]! ? -1 : 1;
  }
  return la.length - lb.length;
}
