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
