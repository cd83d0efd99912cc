/**
 * TXT targets: ExternalDNS's TXT registry sends values wrapped in literal
 * double quotes and accepts either form on read. Every dnsgate plugin
 * reports TXT targets in one canonical form, the value as one quoted
 * character-string in presentation format (`"v=spf1 -all"`, inner quotes and
 * backslashes escaped), so AdjustEndpoints and Records always agree.
 */

/** The logical text of a TXT target, quoted or not; several quoted strings are joined. */
export function txtTargetValue(target: string): string {
  const trimmed = target.trim();
  if (!(trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2)) return target;
  // The usual case, one quoted string with no escapes (all the TXT registry writes), needs no parsing.
  const inner = trimmed.slice(1, -1);
  if (!inner.includes('"') && !inner.includes('\\')) return inner;
  const strings = parseQuotedStrings(trimmed);
  return strings === undefined ? target : strings.join('');
}

/** The canonical TXT target for a logical value. */
export function formatTxtTarget(value: string): string {
  return `"${escapeTxt(value)}"`;
}

/** The canonical form of whatever TXT target ExternalDNS sent. */
export function canonicalTxtTarget(target: string): string {
  return formatTxtTarget(txtTargetValue(target));
}

/** Escapes `"` and `\` for a quoted character-string. */
export function escapeTxt(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/**
 * Splits a logical value into character-strings of at most `maxBytes` UTF-8
 * bytes each (255 on the wire), never inside a multi-byte character.
 */
export function splitTxtValue(value: string, maxBytes = 255): string[] {
  const chunks: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const char of value) {
    const bytes = Buffer.byteLength(char);
    if (currentBytes + bytes > maxBytes) {
      chunks.push(current);
      current = '';
      currentBytes = 0;
    }
    current += char;
    currentBytes += bytes;
  }
  chunks.push(current);
  return chunks;
}

/**
 * Parses `"a" "b\"c"` into its strings, or undefined when the text is not a
 * sequence of quoted strings. `\DDD` decimal escapes are decoded as bytes.
 */
export function parseQuotedStrings(text: string): string[] | undefined {
  const strings: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] !== '"') return undefined;
    i++;
    // Plain runs are copied as text; only \DDD escapes need bytes, since
    // several of them may together spell one UTF-8 character.
    const parts: Buffer[] = [];
    let closed = false;
    let runStart = i;
    while (i < text.length) {
      const c = text[i]!;
      if (c !== '\\' && c !== '"') {
        i++;
        continue;
      }
      if (i > runStart) parts.push(Buffer.from(text.slice(runStart, i)));
      if (c === '"') {
        closed = true;
        i++;
        break;
      }
      const digits = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        parts.push(Buffer.of(Number(digits)));
        i += 4;
      } else if (i + 1 < text.length) {
        const escaped = String.fromCodePoint(text.codePointAt(i + 1)!);
        parts.push(Buffer.from(escaped));
        i += 1 + escaped.length;
      } else {
        return undefined;
      }
      runStart = i;
    }
    if (!closed) return undefined;
    strings.push(Buffer.concat(parts).toString('utf8'));
  }
  return strings.length > 0 ? strings : undefined;
}
