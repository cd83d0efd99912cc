import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { JsonArrayStream } from './json-array.stream.js';

async function readAll(stream: JsonArrayStream): Promise<{ text: string; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length };
}

describe('JsonArrayStream', () => {
  it('writes exactly JSON.stringify of the array, for any items and slice size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (items, n) => {
          const { text } = await readAll(new JsonArrayStream(items, n));
          expect(text).toBe(JSON.stringify(items));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends a big list in slices, with non-ASCII text intact', async () => {
    const items = Array.from({ length: 1234 }, (_, i) => ({ dnsName: `h${i}.bücher.example`, targets: ['"ü"'] }));
    const { text, chunks } = await readAll(new JsonArrayStream(items, 500));
    expect(chunks).toBe(3);
    expect(JSON.parse(text)).toEqual(items);
  });
});
