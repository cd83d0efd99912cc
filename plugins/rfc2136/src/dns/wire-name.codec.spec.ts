import * as dnsPacket from 'dns-packet';
import {
  InvalidNameError,
  encodeName,
  isEncodableName,
  nameWireLength,
  readName,
  readNameCached,
  writeName,
} from './wire-name.codec.js';

/** The straightforward encoding (one buffer per label), to compare the fast one against. */
function reference(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.from([0]);
  const parts: Buffer[] = [];
  for (const label of trimmed.split('.')) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) throw new InvalidNameError('bad label');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new InvalidNameError('too long');
  return out;
}

describe('wire-name codec', () => {
  const good = [
    '',
    '.',
    'com',
    'example.com',
    'www.example.com.',
    'Mixed.Case.Example',
    '_dmarc.example.com',
    'ünïcode.example.com',
    '日本語.jp',
    `${'a'.repeat(63)}.example.com`,
    Array.from({ length: 4 }, () => 'b'.repeat(61)).join('.'),
  ];

  it.each(good)('encodes %j exactly like the label-by-label encoding', (name) => {
    expect(encodeName(name)).toEqual(reference(name));
    expect(nameWireLength(name)).toBe(reference(name).length);
    expect(isEncodableName(name)).toBe(true);
  });

  it.each([
    'a..b',
    '.a',
    '..',
    `${'a'.repeat(64)}.com`,
    `${'é'.repeat(32)}.com`,
    Array(6).fill('c'.repeat(50)).join('.'),
  ])('refuses %j', (name) => {
    expect(() => encodeName(name)).toThrow(InvalidNameError);
    expect(isEncodableName(name)).toBe(false);
  });

  it('writes a name in the middle of a buffer and returns the offset after it', () => {
    const buf = Buffer.alloc(40, 0xff);
    const end = writeName(buf, 5, 'a.bc.example');
    expect(end).toBe(5 + reference('a.bc.example').length);
    expect(buf.subarray(5, end)).toEqual(reference('a.bc.example'));
    expect(buf[4]).toBe(0xff);
    expect(buf[end]).toBe(0xff);
  });

  it('reads compressed names with a per-message cache exactly as readName does', () => {
    const message = dnsPacket.encode({
      type: 'response',
      id: 1,
      answers: [
        { type: 'A', name: 'example.com', data: '192.0.2.1' },
        { type: 'A', name: 'WWW.Example.com', data: '192.0.2.2' },
        { type: 'A', name: 'a.b.example.com', data: '192.0.2.3' },
        { type: 'A', name: 'c.b.example.com', data: '192.0.2.4' },
        { type: 'A', name: 'ünï.example.com', data: '192.0.2.5' },
      ],
    });
    const cache = new Map<number, string>();
    let offset = 12;
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      names.push(readNameCached(message, offset, cache));
      expect(names[i]).toBe(readName(message, offset));
      // skip name, type, class, ttl, rdlength, 4 bytes of rdata
      let pos = offset;
      while (message[pos]! !== 0 && (message[pos]! & 0xc0) !== 0xc0) pos += 1 + message[pos]!;
      offset = (message[pos] === 0 ? pos + 1 : pos + 2) + 10 + 4;
    }
    expect(names).toEqual(['example.com', 'www.example.com', 'a.b.example.com', 'c.b.example.com', 'ünï.example.com']);
    expect(readNameCached(Buffer.from([0]), 0, new Map())).toBe('.');
    expect(() => readNameCached(Buffer.from([3, 97]), 0, new Map())).toThrow(RangeError);
    // A pointer to itself: read by readName, which stops the loop.
    expect(() => readNameCached(Buffer.from([0xc0, 0]), 0, new Map())).toThrow(/loop/);
  });
});
