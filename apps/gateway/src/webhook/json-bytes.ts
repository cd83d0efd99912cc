import { isAscii } from 'node:buffer';

/**
 * The text of a UTF-8 request body. Names, targets and labels are nearly
 * always ASCII, and ASCII decoded as latin1 is the same text at about half
 * the cost of UTF-8 decoding; other bodies are decoded as UTF-8 (invalid
 * sequences become U+FFFD, as with any UTF-8 decoding).
 *
 * (The answer's side has no such shortcut: encoding a 100k-endpoint
 * JSON.stringify result costs its flattening into fresh memory, whichever
 * encoding writes it.)
 */
export function decodeJson(body: Buffer): string {
  return body.toString(isAscii(body) ? 'latin1' : 'utf8');
}

/** Whether a body holds nothing but JSON whitespace (an empty body is malformed, unlike `null`). */
export function isBlank(body: Uint8Array): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
