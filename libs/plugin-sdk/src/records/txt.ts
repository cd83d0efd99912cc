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
    const bytes: number[] = [];
    let closed = false;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        const digits = text.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          bytes.push(Number(digits));
          i += 4;
        } else if (i + 1 < text.length) {
          bytes.push(...Buffer.from(text[i + 1]!));
          i += 2;
        } else {
          return undefined;
        }
      } else if (c === '"') {
        closed = true;
        i++;
        break;
      } else {
        const cp = text.codePointAt(i)!;
        const char = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(char));
        i += char.length;
      }
    }
    if (!closed) return undefined;
    strings.push(Buffer.from(bytes).toString('utf8'));
  }
  return strings.length > 0 ? strings : undefined;
}
