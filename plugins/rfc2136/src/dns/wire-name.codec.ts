/**
 * Domain names in wire format (RFC 1035 3.1), uncompressed. Labels are
 * written as UTF-8 bytes; escapes in presentation format (`\.`, `\DDD`) are
 * not supported: ExternalDNS never sends them.
 */
export class InvalidNameError extends Error {
  override readonly name = 'InvalidNameError';
}

/** Encodes `name` (trailing dot optional; `''` or `.` is the root). Throws InvalidNameError. */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.from([0]);
  const labels = trimmed.split('.');
  const parts: Buffer[] = [];
  let total = 1;
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0) throw new InvalidNameError(`${JSON.stringify(name)} has an empty label`);
    if (bytes.length > 63) throw new InvalidNameError(`${JSON.stringify(name)} has a label longer than 63 bytes`);
    total += bytes.length + 1;
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  if (total > 255) throw new InvalidNameError(`${JSON.stringify(name)} is longer than 255 bytes in wire format`);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts, total);
}

/** The canonical wire form used inside TSIG MACs: lower case, uncompressed. */
export function encodeCanonicalName(name: string): Buffer {
  return encodeName(name.toLowerCase());
}

/** True when `name` can be written on the wire. */
export function isEncodableName(name: string): boolean {
  try {
    encodeName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset just past the (possibly compressed) name starting at `offset`.
 * Throws on a truncated message.
 */
export function skipName(buf: Buffer, offset: number): number {
  let pos = offset;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated name');
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 2 > buf.length) throw new RangeError('truncated name pointer');
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new RangeError('bad label type');
    pos += 1 + len;
  }
}

/** Reads a (possibly compressed) name at `offset`, lower-cased, without a trailing dot (`.` for the root). */
export function readName(buf: Buffer, offset: number): string {
  const labels: string[] = [];
  let pos = offset;
  let jumps = 0;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated name');
    const len = buf[pos]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 64) throw new RangeError('name compression loop');
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('utf8', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return labels.length === 0 ? '.' : labels.join('.').toLowerCase();
}
