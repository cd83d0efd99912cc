import { RCODE } from './dns-constants.js';
import { readMessageLayout, stripTsig } from './dns-message.reader.js';
import {
  TSIG_ALGORITHMS,
  TsigKey,
  TsigResponseVerifier,
  TsigVerificationError,
  signInPlace,
  signRequest,
} from './tsig.signer.js';
import { serverSign } from './tsig.server.spec-helper.js';
import { FramedMessage } from './update-message.builder.js';

// Captured from `nsupdate -v -y ALG:NAME:SECRET` (BIND 9.18) sending
// "update add a.example.com 300 A 192.0.2.1" for zone example.com.
const NSUPDATE_SHA256 = {
  key: new TsigKey('vec-key', '4q6YHR0u43bEd51mnacCg69STcOMrREWmfhSwRN6GCs=', 'hmac-sha256'),
  hex: '290628000001000000010001076578616d706c6503636f6d00000600010161c00c000100010000012c0004c0000201077665632d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b04c4a2012c00208e7d452cc6bf552eb4e6b0ce3e1bfc81115455d14954dddf07980cabf32f57b9290600000000',
};
const NSUPDATE_SHA1 = {
  key: new TsigKey('vec-sha1', 'w/B+CmDG9MiQozWC5zzla5FHDqo=', 'hmac-sha1'),
  hex: '6b1428000001000000010001076578616d706c6503636f6d00000600010161c00c000100010000012c0004c0000201087665632d736861310000fa00ff00000000002f09686d61632d736861310000006b04c4a2012c0014bcc58feb04c44338572362ddb8054a09a1aaec006b1400000000',
};
// A signed AXFR request made by signRequest and BIND 9.18's signed answer to it.
const BIND_AXFR = {
  requestMac: '6e6dfedc6c89e10fb88073784448f81ba13e2eadc2c12c18908904bd102bd345',
  response:
    '123484000001000500000001076578616d706c6503636f6d0000fc0001c00c0006000100000e10003b036e73310c646e73676174652d7465737407696e76616c6964000a686f73746d6173746572c00c0000000100000e1000000258000151800000003cc00c0002000100000e100002c0290161c00c000100010000012c0004c00002010162c00c001000010000012c00020178c00c0006000100000e100018c029c0430000000100000e1000000258000151800000003c077665632d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b04c4aa012c00206d7387b52ddbd5dd2503a0359e4e259df5e8efe2a1c09d9e8ae46a59a7184f29123400000000',
  timeSigned: 0x6b04c4aa,
};

describe('TSIG signing (RFC 8945)', () => {
  it.each([
    ['hmac-sha256', NSUPDATE_SHA256],
    ['hmac-sha1', NSUPDATE_SHA1],
  ])('produces byte for byte what nsupdate sends with %s', (_alg, vector) => {
    const message = Buffer.from(vector.hex, 'hex');
    const layout = readMessageLayout(message);
    expect(layout.tsig?.keyName).toBe(vector.key.name);
    const unsigned = stripTsig(message, layout.tsig!);
    const signed = signRequest(unsigned, vector.key, {
      timeSigned: layout.tsig!.timeSigned,
      fudge: layout.tsig!.fudge,
    });
    expect(signed.message.toString('hex')).toBe(vector.hex);
    expect(signed.mac).toEqual(layout.tsig!.mac);
  });

  it('signs in place, in the room after a framed message, what signRequest makes by copying', () => {
    const message = Buffer.from(NSUPDATE_SHA256.hex, 'hex');
    const layout = readMessageLayout(message);
    const unsigned = stripTsig(message, layout.tsig!);
    const key = NSUPDATE_SHA256.key;
    const framed = FramedMessage.of(unsigned, key.requestTsigLength);
    const buffer = framed.buffer;
    const mac = signInPlace(framed, key, { timeSigned: layout.tsig!.timeSigned, fudge: layout.tsig!.fudge });
    expect(mac).toEqual(layout.tsig!.mac);
    // The same buffer, filled exactly: the length prefix, then nsupdate's bytes.
    expect(framed.buffer).toBe(buffer);
    expect(framed.room).toBe(0);
    expect(framed.frame().toString('hex')).toBe(message.length.toString(16).padStart(4, '0') + NSUPDATE_SHA256.hex);
  });

  it.each(TSIG_ALGORITHMS)('tells the size of the TSIG RR a request signed with %s carries', (algorithm) => {
    const key = new TsigKey('some.key.name', Buffer.alloc(32, 7).toString('base64'), algorithm);
    const unsigned = Buffer.alloc(12); // a header with nothing after it
    const signed = signRequest(unsigned, key);
    expect(signed.message.length - unsigned.length).toBe(key.requestTsigLength);
    expect(readMessageLayout(signed.message).tsig?.algorithm).toBe(algorithm);
  });

  it('refuses to sign in place without room for the TSIG RR, and leaves the message as it was', () => {
    const unsigned = stripTsig(
      Buffer.from(NSUPDATE_SHA256.hex, 'hex'),
      readMessageLayout(Buffer.from(NSUPDATE_SHA256.hex, 'hex')).tsig!,
    );
    const framed = FramedMessage.of(unsigned, NSUPDATE_SHA256.key.requestTsigLength - 1);
    expect(() => signInPlace(framed, NSUPDATE_SHA256.key)).toThrow(RangeError);
    expect(framed.message).toEqual(unsigned);
  });

  it('a different secret gives a different MAC', () => {
    const message = Buffer.from(NSUPDATE_SHA256.hex, 'hex');
    const layout = readMessageLayout(message);
    const other = new TsigKey('vec-key', Buffer.alloc(32, 1).toString('base64'), 'hmac-sha256');
    const signed = signRequest(stripTsig(message, layout.tsig!), other, { timeSigned: layout.tsig!.timeSigned });
    expect(signed.mac).not.toEqual(layout.tsig!.mac);
  });

  it('verifies a real BIND answer over the request MAC', () => {
    const verifier = new TsigResponseVerifier(
      NSUPDATE_SHA256.key,
      Buffer.from(BIND_AXFR.requestMac, 'hex'),
      () => BIND_AXFR.timeSigned + 10,
    );
    const layout = verifier.verify(Buffer.from(BIND_AXFR.response, 'hex'));
    expect(layout.ancount).toBe(5);
    expect(() => verifier.finish()).not.toThrow();
  });

  it('rejects a BIND answer with one byte changed, or checked with another request MAC', () => {
    const tampered = Buffer.from(BIND_AXFR.response, 'hex');
    tampered[60] = tampered[60]! ^ 1;
    const now = () => BIND_AXFR.timeSigned;
    expect(() =>
      new TsigResponseVerifier(NSUPDATE_SHA256.key, Buffer.from(BIND_AXFR.requestMac, 'hex'), now).verify(tampered),
    ).toThrow(/did not verify/);
    const otherMac = Buffer.alloc(32, 9);
    expect(() =>
      new TsigResponseVerifier(NSUPDATE_SHA256.key, otherMac, now).verify(Buffer.from(BIND_AXFR.response, 'hex')),
    ).toThrow(TsigVerificationError);
  });

  it('rejects an answer signed outside the fudge window (BADTIME)', () => {
    const verifier = new TsigResponseVerifier(
      NSUPDATE_SHA256.key,
      Buffer.from(BIND_AXFR.requestMac, 'hex'),
      () => BIND_AXFR.timeSigned + 301,
    );
    expect(() => verifier.verify(Buffer.from(BIND_AXFR.response, 'hex'))).toThrow(/BADTIME/);
  });

  it('never shows the secret in toString or JSON', () => {
    const secret = '4q6YHR0u43bEd51mnacCg69STcOMrREWmfhSwRN6GCs=';
    const key = new TsigKey('k', secret);
    expect(`${key} ${JSON.stringify(key)} ${JSON.stringify({ key })}`).not.toContain(secret);
    expect(() => new TsigKey('k', 'not base64!')).toThrow(/not base64/);
    expect(() => new TsigKey('k', 'not base64!')).not.toThrow(/not base64!/);
  });
});

function response(id: number, marker: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8400, 2);
  // One answer RR: root, TXT, IN, TTL 0, rdata with a marker byte.
  header.writeUInt16BE(1, 6);
  return Buffer.concat([header, Buffer.from([0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 1, marker])]);
}

describe('TSIG verification of multi-message answers', () => {
  const key = new TsigKey('xfr', Buffer.alloc(32, 3).toString('base64'), 'hmac-sha512');
  const requestMac = Buffer.alloc(64, 5);
  const now = () => 1_700_000_000;

  it('accepts a chain where each message covers the previous MAC, with unsigned messages between', () => {
    const first = serverSign(key, response(7, 1), requestMac, true, now());
    const middle = response(7, 2); // unsigned
    const last = serverSign(key, response(7, 3), first.mac, false, now(), [middle]);
    const verifier = new TsigResponseVerifier(key, requestMac, now);
    verifier.verify(first.message);
    verifier.verify(middle);
    verifier.verify(last.message);
    expect(() => verifier.finish()).not.toThrow();
  });

  it('rejects a later message signed with the full variables instead of the timers only', () => {
    const first = serverSign(key, response(7, 1), requestMac, true, now());
    const wrong = serverSign(key, response(7, 2), first.mac, true, now());
    const verifier = new TsigResponseVerifier(key, requestMac, now);
    verifier.verify(first.message);
    expect(() => verifier.verify(wrong.message)).toThrow(/did not verify/);
  });

  it('rejects an answer whose messages were reordered', () => {
    const first = serverSign(key, response(7, 1), requestMac, true, now());
    const second = serverSign(key, response(7, 2), first.mac, false, now());
    const third = serverSign(key, response(7, 3), second.mac, false, now());
    const verifier = new TsigResponseVerifier(key, requestMac, now);
    verifier.verify(first.message);
    expect(() => verifier.verify(third.message)).toThrow(TsigVerificationError);
  });

  it('requires the first and the last message to be signed, and at most 99 unsigned in a row', () => {
    expect(() => new TsigResponseVerifier(key, requestMac, now).verify(response(7, 1))).toThrow(/not signed/);
    const first = serverSign(key, response(7, 1), requestMac, true, now());
    const verifier = new TsigResponseVerifier(key, requestMac, now);
    verifier.verify(first.message);
    verifier.verify(response(7, 2));
    expect(() => verifier.finish()).toThrow(/last message/);
    for (let i = 0; i < 98; i++) verifier.verify(response(7, 2));
    expect(() => verifier.verify(response(7, 2))).toThrow(/99 unsigned/);
  });

  it('reports the TSIG error a server put in its answer (BADKEY) before checking any MAC', () => {
    const unsignedAnswer = Buffer.from(NSUPDATE_SHA256.hex, 'hex');
    unsignedAnswer.writeUInt16BE(0xa800 | RCODE.NOTAUTH, 2);
    const layout = readMessageLayout(unsignedAnswer);
    // Set the TSIG error field (after the MAC and the original ID) to BADKEY.
    const errorOffset = unsignedAnswer.length - 4;
    unsignedAnswer.writeUInt16BE(RCODE.BADKEY, errorOffset);
    expect(layout.tsig).toBeDefined();
    const verifier = new TsigResponseVerifier(NSUPDATE_SHA256.key, Buffer.alloc(32), now);
    let caught: unknown;
    try {
      verifier.verify(unsignedAnswer);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TsigVerificationError);
    expect((caught as TsigVerificationError).tsigError).toBe(RCODE.BADKEY);
    expect((caught as Error).message).toMatch(/BADKEY: the server rejected TSIG key "vec-key": it does not know/);
  });
});
