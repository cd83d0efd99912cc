import { isAscii } from 'node:buffer';

// Names, targets and labels are nearly always ASCII, and for ASCII text latin1
// is the same bytes as UTF-8 at a fraction of the cost, both ways: encoding is
// most of what a 100k-endpoint answer costs after JSON.stringify, decoding a
// good part of reading a 10k-change request.

/**
 * The UTF-8 bytes of a JSON text. The check is exact: a UTF-8 length equal to
 * the string's length means every character is one byte, i.e. ASCII.
 */
export function encodeJson(text: string): Buffer {
  return Buffer.from(text, Buffer.byteLength(text, 'utf8') === text.length ? 'latin1' : 'utf8');
}

/** The text of a UTF-8 request body (invalid sequences become U+FFFD, as with any UTF-8 decoding). */
export function decodeJson(body: Buffer): string {
  return body.toString(isAscii(body) ? 'latin1' : 'utf8');
}
