import fc from 'fast-check';
import {
  InvalidNameError,
  MessageNames,
  encodeName,
  isEncodableName,
  nameWireLength,
  plainNameText,
  readName,
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

  /** The offsets of the owner names of a message's answers (name, type, class, ttl, rdlength, rdata). */
  function ownerOffsets(message: Buffer, count: number): number[] {
    const offsets: number[] = [];
    let offset = 12;
    for (let i = 0; i < count; i++) {
      offsets.push(offset);
      let pos = offset;
      while (message[pos]! !== 0 && (message[pos]! & 0xc0) !== 0xc0) pos += 1 + message[pos]!;
      const rdata = (message[pos] === 0 ? pos + 1 : pos + 2) + 8;
      offset = rdata + 2 + message.readUInt16BE(rdata);
    }
    return offsets;
  }

  /**
   * A response whose answers are A records owned by `names`, compressed as a
   * server compresses them: each name's longest suffix written before (in
   * pointer range) becomes a pointer to it.
   */
  function answering(names: readonly string[]): Buffer {
    const parts: Buffer[] = [Buffer.from([0, 1, 0x84, 0, 0, 0, names.length >> 8, names.length & 0xff, 0, 0, 0, 0])];
    let length = 12;
    const written = new Map<string, number>();
    for (const [index, name] of names.entries()) {
      const labels = name.split('.');
      for (let i = 0; i < labels.length; i++) {
        const suffix = labels.slice(i).join('.');
        const at = written.get(suffix);
        if (at !== undefined) {
          parts.push(Buffer.from([0xc0 | (at >> 8), at & 0xff]));
          length += 2;
          break;
        }
        if (length < 0x4000) written.set(suffix, length);
        const bytes = Buffer.from(labels[i]!, 'utf8');
        parts.push(Buffer.from([bytes.length]), bytes);
        length += 1 + bytes.length;
        if (i === labels.length - 1) {
          parts.push(Buffer.from([0]));
          length += 1;
        }
      }
      parts.push(Buffer.from([0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, index % 256]));
      length += 14;
    }
    return Buffer.concat(parts);
  }

  it('reads compressed names message after message exactly as readName does', () => {
    const first = answering([
      'example.com',
      'WWW.Example.com',
      'a.b.example.com',
      'c.b.example.com',
      'ünï.example.com',
    ]);
    // The same offsets in the next message hold other names: none of the first message's may come back.
    const second = answering([
      'example.org',
      'www.example.org',
      'a.b.example.org',
      'c.b.example.org',
      'ΣΑΣ.example.org',
    ]);
    const names = new MessageNames();
    const read: string[] = [];
    for (const message of [first, second]) {
      names.startMessage(message);
      for (const offset of ownerOffsets(message, 5)) {
        read.push(names.read(offset));
        expect(read.at(-1)).toBe(readName(message, offset));
      }
    }
    expect(read.slice(0, 5)).toEqual([
      'example.com',
      'www.example.com',
      'a.b.example.com',
      'c.b.example.com',
      'ünï.example.com',
    ]);
    expect(read.slice(5, 9)).toEqual(['example.org', 'www.example.org', 'a.b.example.org', 'c.b.example.org']);
    // Compressed as a server sends them: the later names point into the earlier ones.
    expect(first.includes(0xc0)).toBe(true);
  });

  it('reads any names, in any case and script, as readName does', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$|^[a-zäöüÄÖÜßσΣς]{1,4}$/);
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    fc.assert(
      fc.property(
        fc.array(fc.array(name, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        (messages) => {
          const names = new MessageNames();
          for (const list of messages) {
            const message = answering(list);
            names.startMessage(message);
            for (const offset of ownerOffsets(message, list.length))
              expect(names.read(offset)).toBe(readName(message, offset));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses what readName refuses', () => {
    const names = new MessageNames();
    names.startMessage(Buffer.from([0]));
    expect(names.read(0)).toBe('.');
    names.startMessage(Buffer.from([3, 97]));
    expect(() => names.read(0)).toThrow(RangeError);
    // A pointer to itself: read by readName, which stops the loop.
    names.startMessage(Buffer.from([0xc0, 0]));
    expect(() => names.read(0)).toThrow(/loop/);
  });

  it('has plainNameText write the text readName reads as bytes, for a name of printable ASCII without " or \\', () => {
    const unit = fc.constantFrom('a', 'Z', '0', '-', '_', ' ', '"', '\\', '\u00e9', '\u0001');
    const label = fc.string({ unit, minLength: 1, maxLength: 6 });
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 12 }), (list) => {
        const message = answering(list);
        for (const offset of ownerOffsets(message, list.length)) {
          const into = new Uint8Array(256);
          const length = plainNameText(message, offset, into);
          const text = readName(message, offset);
          const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(text);
          expect(length >= 0).toBe(plain);
          if (plain) expect(Buffer.from(into.subarray(0, length)).toString('latin1')).toBe(text);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('has plainNameText refuse the root, a truncated name and a pointer loop, to be read as a string', () => {
    const into = new Uint8Array(256);
    expect(plainNameText(Buffer.from([0]), 0, into)).toBe(-1);
    expect(plainNameText(Buffer.from([3, 97]), 0, into)).toBe(-1);
    expect(plainNameText(Buffer.from([0xc0, 0]), 0, into)).toBe(-1);
    expect(plainNameText(Buffer.from([1, 97, 0xc0]), 0, into)).toBe(-1);
    expect(plainNameText(Buffer.from([1, 65, 2, 98, 99, 0]), 0, into)).toBe(4);
    expect(Buffer.from(into.subarray(0, 4)).toString()).toBe('a.bc');
  });
});
