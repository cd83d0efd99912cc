import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS_ANY, RCODE, TYPE, rcodeMeaning, rcodeName } from './dns-constants.js';
import { readMessageLayout, stripTsig, type MessageLayout } from './dns-message.reader.js';
import { FramedMessage } from './update-message.builder.js';
import { encodeCanonicalName, nameWireLength, writeName } from './wire-name.codec.js';

export const TSIG_ALGORITHMS = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

const HASH: Record<TsigAlgorithm, string> = {
  'hmac-sha1': 'sha1',
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

/** The MAC's size in bytes: the hash's output (no truncation, RFC 8945 5.2.2.1). */
const MAC_BYTES: Record<TsigAlgorithm, number> = {
  'hmac-sha1': 20,
  'hmac-sha224': 28,
  'hmac-sha256': 32,
  'hmac-sha384': 48,
  'hmac-sha512': 64,
};

/** RFC 8945: the fudge ExternalDNS and nsupdate use. */
export const DEFAULT_FUDGE = 300;

/** A TSIG key. `toString()` and `toJSON()` never show the secret. */
export class TsigKey {
  readonly name: string;
  private readonly secret: Buffer;

  constructor(
    name: string,
    secretBase64: string,
    readonly algorithm: TsigAlgorithm = 'hmac-sha256',
  ) {
    this.name = name.toLowerCase().replace(/\.$/, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secretBase64.trim()) || secretBase64.trim() === '') {
      throw new Error(`the secret of TSIG key "${this.name}" is not base64`);
    }
    this.secret = Buffer.from(secretBase64.trim(), 'base64');
    Object.defineProperty(this, 'secret', { enumerable: false });
  }

  /** The size of the TSIG RR a request signed with this key carries (no other data). */
  get requestTsigLength(): number {
    return nameWireLength(this.name) + 10 + nameWireLength(this.algorithm) + 16 + MAC_BYTES[this.algorithm];
  }

  hmac(parts: Buffer[]): Buffer {
    const hmac = createHmac(HASH[this.algorithm], this.secret);
    for (const part of parts) hmac.update(part);
    return hmac.digest();
  }

  toString(): string {
    return `TsigKey(${this.name}, ${this.algorithm})`;
  }

  toJSON(): object {
    return { name: this.name, algorithm: this.algorithm };
  }
}

/** A response whose TSIG is missing, wrong, or carries an error. */
export class TsigVerificationError extends Error {
  override readonly name = 'TsigVerificationError';
  constructor(
    message: string,
    /** A TSIG error code (BADSIG, BADKEY, BADTIME) when the server reported one. */
    readonly tsigError?: number,
  ) {
    super(message);
  }
}

function uint48(value: number): Buffer {
  const buf = Buffer.alloc(6);
  buf.writeUIntBE(value, 0, 6);
  return buf;
}

function u16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value, 0);
  return buf;
}

function withLength(mac: Buffer): Buffer {
  return Buffer.concat([u16(mac.length), mac]);
}

/** The TSIG variables of RFC 8945 4.3.3, error and other data included. */
function tsigVariables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    encodeCanonicalName(key.name),
    u16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    encodeCanonicalName(key.algorithm),
    uint48(timeSigned),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ]);
}

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timeSigned?: number;
  fudge?: number;
}

export interface SignedMessage {
  message: Buffer;
  /** The MAC, which the response's MAC covers. */
  mac: Buffer;
}

/**
 * Signs a request: appends a TSIG RR to `message` (which has no TSIG) and
 * increments ARCOUNT (RFC 8945 4.3). A copy: `message` is left as it was.
 */
export function signRequest(message: Buffer, key: TsigKey, options: SignOptions = {}): SignedMessage {
  const framed = FramedMessage.of(message, key.requestTsigLength);
  const mac = signInPlace(framed, key, options);
  return { message: framed.message, mac };
}

/**
 * Signs the request in `framed` where it lies: the MAC over the message and
 * the TSIG variables, then the TSIG RR written into the room after it,
 * ARCOUNT and the length moved on. Returns the MAC, which the response's
 * covers. The one implementation of request signing (signRequest copies,
 * then calls it); an UPDATE message is built with the room, so it is signed
 * and framed without a copy.
 */
export function signInPlace(framed: FramedMessage, key: TsigKey, options: SignOptions = {}): Buffer {
  const timeSigned = options.timeSigned ?? Math.floor(Date.now() / 1000);
  const fudge = options.fudge ?? DEFAULT_FUDGE;
  const rrLength = key.requestTsigLength;
  if (framed.room < rrLength) throw new RangeError(`no room for the TSIG RR (${rrLength} bytes) after the message`);
  const message = framed.message;
  const mac = key.hmac([message, tsigVariables(key, timeSigned, fudge, 0, Buffer.alloc(0))]);
  const buf = framed.buffer;
  const start = 2 + framed.length;
  let o = writeName(buf, start, key.name);
  buf.writeUInt16BE(TYPE.TSIG, o);
  buf.writeUInt16BE(CLASS_ANY, o + 2);
  buf.writeUInt32BE(0, o + 4);
  const rdlengthAt = o + 8;
  o = writeName(buf, o + 10, key.algorithm);
  buf.writeUIntBE(timeSigned, o, 6);
  buf.writeUInt16BE(fudge, o + 6);
  buf.writeUInt16BE(mac.length, o + 8);
  o += 10 + mac.copy(buf, o + 10);
  buf.writeUInt16BE(message.readUInt16BE(0), o); // the original ID
  buf.writeUInt16BE(0, o + 2); // error
  buf.writeUInt16BE(0, o + 4); // other len
  o += 6;
  buf.writeUInt16BE(o - rdlengthAt - 2, rdlengthAt);
  message.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  framed.length += o - start;
  return mac;
}

/**
 * Verifies the responses to one signed request, in order: the first over the
 * request MAC and the full variables, each later one over the previous MAC,
 * the unsigned messages since, and the timers only (RFC 8945 5.3.1). At most
 * 99 messages in a row may be unsigned, and the last one must be signed:
 * call `finish()` after the last.
 */
export class TsigResponseVerifier {
  private previousMac: Buffer;
  private first = true;
  private unsigned: Buffer[] = [];

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.previousMac = requestMac;
  }

  /** Checks one response message; returns its layout. Throws TsigVerificationError. */
  verify(message: Buffer, layout: MessageLayout = readMessageLayout(message)): MessageLayout {
    const tsig = layout.tsig;
    if (!tsig) {
      if (this.first) {
        // A server that rejects the key may answer unsigned; report what it said.
        if (layout.rcode === RCODE.NOTAUTH || layout.rcode === RCODE.REFUSED) {
          throw new TsigVerificationError(
            `the server answered ${rcodeName(layout.rcode)} without a TSIG: ${rcodeMeaning(layout.rcode, this.key.name)}`,
          );
        }
        throw new TsigVerificationError(
          'the response is not signed, but the request was (is the server using TSIG key "' + this.key.name + '"?)',
        );
      }
      this.unsigned.push(message);
      if (this.unsigned.length > 99)
        throw new TsigVerificationError('more than 99 unsigned messages in a row in a signed transfer');
      return layout;
    }
    if (tsig.keyName !== this.key.name || tsig.algorithm !== this.key.algorithm) {
      throw new TsigVerificationError(
        `the response is signed with key "${tsig.keyName}" (${tsig.algorithm}), expected "${this.key.name}" (${this.key.algorithm})`,
      );
    }
    if (tsig.error !== 0) {
      throw new TsigVerificationError(
        `${rcodeName(tsig.error)}: ${rcodeMeaning(tsig.error, this.key.name)}`,
        tsig.error,
      );
    }
    const stripped = stripTsig(message, tsig);
    const parts = [withLength(this.previousMac), ...this.unsigned, stripped];
    if (this.first) parts.push(tsigVariables(this.key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.otherData));
    else parts.push(uint48(tsig.timeSigned), u16(tsig.fudge));
    const expected = this.key.hmac(parts);
    if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) {
      throw new TsigVerificationError(
        `the response's TSIG signature did not verify with key "${this.key.name}" (a wrong secret, or the answer was altered)`,
        RCODE.BADSIG,
      );
    }
    if (Math.abs(this.now() - tsig.timeSigned) > tsig.fudge) {
      throw new TsigVerificationError(
        `the response was signed at ${tsig.timeSigned}, more than ${tsig.fudge} s from our clock (BADTIME)`,
        RCODE.BADTIME,
      );
    }
    this.previousMac = Buffer.from(tsig.mac);
    this.unsigned = [];
    this.first = false;
    return layout;
  }

  /** After the last message: it must have been signed. */
  finish(): void {
    if (this.first || this.unsigned.length > 0) {
      throw new TsigVerificationError('the last message of the response was not signed');
    }
  }
}
