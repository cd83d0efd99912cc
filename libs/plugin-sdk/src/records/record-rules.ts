/**
 * The rules a zone loader applies to a record, shared by the plugins' record
 * checks so that nothing dnsgate writes makes a zone unloadable or
 * untransferable. Each returns the problem in one sentence, or undefined.
 */

/**
 * The most text one TXT record set may hold. Its rdata (the text in strings
 * of at most 255 bytes, one length byte each) must fit one DNS message of an
 * AXFR beside the header, the question, the owner name and a TSIG record; a
 * larger record breaks every transfer of its zone.
 */
export const MAX_TXT_TEXT_BYTES = 60_000;

export function txtSizeProblem(text: string, maxBytes = MAX_TXT_TEXT_BYTES): string | undefined {
  const bytes = Buffer.byteLength(text);
  return bytes > maxBytes ? `a TXT value is at most ${maxBytes} bytes here, this one has ${bytes}` : undefined;
}

/** Letters, digits and hyphens, starting and ending with a letter or digit: BIND's `dns_name_ishostname`. */
const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** Record types whose owner must be a host name under BIND's default `check-names primary fail`. */
const HOSTNAME_OWNER_TYPES = new Set(['A', 'AAAA', 'MX']);

/**
 * BIND's check-names on an owner name (default `fail` for primary zones, and
 * for dynamic updates): an A, AAAA or MX record must sit at a host name; a
 * leading `*` label is allowed, except for an NS. `_dmarc.example.org` may
 * hold a TXT, not an A.
 */
export function ownerNameProblem(name: string, type: string): string | undefined {
  // named refuses to load a zone with one ("invalid NS owner name (wildcard)"); RFC 4592 §4.2 discourages it.
  if (type === 'NS' && name.startsWith('*.')) return `an NS record cannot be owned by a wildcard name (${name})`;
  if (!HOSTNAME_OWNER_TYPES.has(type)) return undefined;
  const labels = name.replace(/\.$/, '').split('.');
  if (labels[0] === '*') labels.shift();
  const bad = labels.find((label) => !HOSTNAME_LABEL.test(label));
  return bad === undefined
    ? undefined
    : `a ${type} record must be named like a host (letters, digits, inner hyphens: BIND's check-names), and label ${JSON.stringify(bad)} of ${name} is not`;
}

/**
 * check-names on a target that must be a host name: the exchange of an MX,
 * the target of an SRV, an NS; and no name that reads as an IPv4 address.
 */
export function hostTargetProblem(host: string, what: string): string | undefined {
  const bare = host.replace(/\.$/, '');
  if (bare === '') return undefined; // the root: "no such service" for SRV/MX
  // named refuses to load an NS (and warns of an MX) whose name reads as an IPv4 address.
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bare)) return `the ${what} must be a host name, and ${bare} reads as an address`;
  const bad = bare.split('.').find((label) => !HOSTNAME_LABEL.test(label));
  return bad === undefined
    ? undefined
    : `the ${what} must be a host name (BIND's check-names), and label ${JSON.stringify(bad)} of ${bare} is not`;
}

/** NAPTR flags (RFC 3403 §4.1): letters and digits only. */
export function naptrFlagsProblem(flags: string): string | undefined {
  return /^[A-Za-z0-9]*$/.test(flags)
    ? undefined
    : `NAPTR flags ${JSON.stringify(flags)} may hold only letters and digits`;
}

/**
 * The NAPTR regexp field as BIND's loader checks it (RFC 3402 §3.2): empty,
 * or `<delim>ERE<delim>replacement<delim>` and an optional `i` flag, where the
 * delimiter is neither a digit, a backslash nor `i`, the ERE is not empty, and
 * a back-reference names a group the ERE has. `x` or `!^.*$!sip:x` break the
 * zone.
 */
export function naptrRegexpProblem(regexp: string): string | undefined {
  if (regexp === '') return undefined;
  const bad = (why: string) => `NAPTR regexp ${JSON.stringify(regexp)} ${why}`;
  const delim = regexp[0]!;
  if (/[0-9\\i]/.test(delim)) return bad('must start with a delimiter other than a digit, a backslash or "i"');
  const parts: string[] = [''];
  for (let i = 1; i < regexp.length; i++) {
    const ch = regexp[i]!;
    if (ch === '\\' && parts.length < 3) {
      if (i + 1 >= regexp.length) return bad('ends in a lone backslash');
      parts[parts.length - 1] += ch + regexp[++i]!;
    } else if (ch === delim && parts.length < 3) {
      parts.push('');
    } else {
      parts[parts.length - 1] += ch;
    }
  }
  if (parts.length !== 3)
    return bad(`needs three ${JSON.stringify(delim)} delimiters: ${delim}ERE${delim}replacement${delim}`);
  const [ere, replacement, flags] = parts as [string, string, string];
  if (ere === '') return bad('has an empty regular expression');
  if (flags !== '' && flags !== 'i') return bad(`may end only in the flag "i", not ${JSON.stringify(flags)}`);
  const groups = countGroups(ere);
  if (groups === undefined) return bad('has unbalanced parentheses or brackets');
  for (const match of replacement.matchAll(/\\([0-9])/g)) {
    if (Number(match[1]) > groups) return bad(`refers to group \\${match[1]}, and the expression has ${groups}`);
  }
  return undefined;
}

/** The capture groups of an ERE, or undefined when its parentheses or brackets do not balance. */
function countGroups(ere: string): number | undefined {
  let depth = 0;
  let groups = 0;
  for (let i = 0; i < ere.length; i++) {
    const ch = ere[i]!;
    if (ch === '\\') {
      i++;
    } else if (ch === '[') {
      const close = ere.indexOf(
        ']',
        ere[i + 1] === ']' ? i + 2 : ere[i + 1] === '^' && ere[i + 2] === ']' ? i + 3 : i + 1,
      );
      if (close < 0) return undefined;
      i = close;
    } else if (ch === '(') {
      depth++;
      groups++;
    } else if (ch === ')') {
      if (--depth < 0) return undefined;
    }
  }
  return depth === 0 ? groups : undefined;
}

/**
 * The rules above, applied to one target in presentation form as ExternalDNS
 * sends it (`10 mail.example.org`, `100 10 "u" "E2U+sip" "!^.*$!sip:x@y!" .`).
 * `checkNames`: BIND's check-names on the host-name fields (for backends
 * that are BIND or load into BIND).
 */
export function targetRuleProblem(type: string, target: string, options: { checkNames: boolean }): string | undefined {
  switch (type) {
    case 'TXT':
      return txtSizeProblem(target);
    case 'MX': {
      const fields = presentationFields(target);
      return options.checkNames && fields?.[1] ? hostTargetProblem(fields[1], 'mail exchange of an MX') : undefined;
    }
    case 'SRV': {
      const fields = presentationFields(target);
      return options.checkNames && fields?.[3] ? hostTargetProblem(fields[3], 'target of an SRV') : undefined;
    }
    case 'NS':
      return options.checkNames ? hostTargetProblem(target, 'name server of an NS') : undefined;
    case 'NAPTR': {
      const fields = presentationFields(target);
      if (!fields || fields.length !== 6)
        return `a NAPTR has six fields: order preference flags services regexp replacement`;
      return naptrFlagsProblem(fields[2]!) ?? naptrRegexpProblem(fields[4]!);
    }
    default:
      return undefined;
  }
}

/**
 * The fields of an rdata in presentation form: words and quoted strings,
 * unquoted and unescaped (`\X` is X, `\DDD` the byte DDD); undefined when a
 * quote is left open.
 */
export function presentationFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const escaped = (): string => {
    const digits = /^[0-9]{3}/.exec(text.slice(i + 1, i + 4));
    if (digits) {
      i += 4;
      return String.fromCharCode(Number(digits[0]));
    }
    i += 2;
    return text[i - 1] ?? '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    let field = '';
    const quoted = ch === '"';
    if (quoted) i++;
    while (i < text.length && (quoted ? text[i] !== '"' : text[i] !== ' ' && text[i] !== '\t')) {
      field += text[i] === '\\' ? escaped() : text[i++]!;
    }
    if (quoted) {
      if (i >= text.length) return undefined;
      i++;
    }
    fields.push(field);
  }
  return fields;
}
