import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PatchBodyWriter } from './patch-body.writer.js';

describe('PatchBodyWriter', () => {
  it('writes exactly the UTF-8 of JSON.stringify({ rrsets }), for any items, call after call', () => {
    const writer = new PatchBodyWriter();
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 1200 }), (items) => {
        expect(writer.write(items).toString('utf8')).toBe(JSON.stringify({ rrsets: items }));
      }),
      { numRuns: 200 },
    );
  });

  it('grows for a big body and writes the next one into the same memory', () => {
    const writer = new PatchBodyWriter();
    const rrsets = Array.from({ length: 3000 }, (_, i) => ({
      name: `h${i}.bücher.example.`,
      records: [{ content: `"ü ${i}"` }],
    }));
    const first = writer.write(rrsets);
    expect(first.length).toBeGreaterThan(64 * 1024);
    expect(first.toString()).toBe(JSON.stringify({ rrsets }));
    const second = writer.write(rrsets.slice(0, 10));
    expect(second.buffer).toBe(first.buffer);
    expect(second.toString()).toBe(JSON.stringify({ rrsets: rrsets.slice(0, 10) }));
  });
});

describe('PatchBodyWriter, rrset by rrset', () => {
  /** Any UTF-16 text: control characters, `"`, `\`, DEL, non-ASCII, astral characters and lone surrogates. */
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((units) => String.fromCharCode(...units)),
    fc.constantFrom('"quoted \\"text\\""', 'tab\there', 'del\x7f', 'bücher', '\ud800', 'a\udc00b', '😀'),
  );
  const rrset = fc.oneof(
    fc.record({ name: anyText, type: anyText }).map((r) => ({ ...r, delete: true as const })),
    fc.record({
      name: anyText,
      type: anyText,
      ttl: fc.oneof(fc.integer({ min: 0, max: 2147483647 }), fc.constantFrom(NaN, Infinity, -0)),
      contents: fc.array(anyText, { minLength: 1, maxLength: 4 }),
    }),
  );

  it('writes exactly the UTF-8 of JSON.stringify of the same rrset objects, call after call', () => {
    const writer = new PatchBodyWriter();
    fc.assert(
      fc.property(fc.array(rrset, { maxLength: 40 }), (rrsets) => {
        writer.begin();
        const objects = rrsets.map((r) => {
          if ('delete' in r) {
            writer.deleteRrset(r.name, r.type);
            return { name: `${r.name}.`, type: r.type, changetype: 'DELETE' };
          }
          writer.replaceRrset(r.name, r.type, r.ttl);
          for (const content of r.contents) writer.record(content);
          writer.endRrset();
          return {
            name: `${r.name}.`,
            type: r.type,
            ttl: r.ttl,
            changetype: 'REPLACE',
            records: r.contents.map((content) => ({ content, disabled: false })),
          };
        });
        expect(writer.end().toString('utf8')).toBe(JSON.stringify({ rrsets: objects }));
      }),
      { numRuns: 500 },
    );
  });

  it('grows from its first size for a big body and mixes with rrset objects', () => {
    const writer = new PatchBodyWriter();
    const objects = [{ name: 'x.example.', type: 'A', changetype: 'DELETE' }];
    writer.begin();
    writer.rrsetObjects(objects);
    const contents = Array.from({ length: 3000 }, (_, i) => `"ü \\ ${i}" ${'x'.repeat(40)}`);
    writer.replaceRrset('big.example', 'TXT', 60);
    for (const content of contents) writer.record(content);
    writer.endRrset();
    const body = writer.end();
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(body.toString('utf8')).toBe(
      JSON.stringify({
        rrsets: [
          ...objects,
          {
            name: 'big.example.',
            type: 'TXT',
            ttl: 60,
            changetype: 'REPLACE',
            records: contents.map((content) => ({ content, disabled: false })),
          },
        ],
      }),
    );
  });
});
