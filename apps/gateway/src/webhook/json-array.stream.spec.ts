import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Writable } from 'node:stream';
import { ChunksWrittenAtOnce, JsonArrayStream, SerialisedItems, countItems } from './json-array.stream.js';

/** What the stream writes when piped, as Fastify sends it (it hides its async iterator from Nest). */
async function readAll(stream: JsonArrayStream): Promise<{ text: string; chunks: number }> {
  const chunks: Buffer[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await new Promise((resolve, reject) => {
    destination.on('finish', resolve);
    stream.on('error', reject);
    stream.pipe(destination);
  });
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length };
}

describe('JsonArrayStream', () => {
  it('writes exactly JSON.stringify of the array, for any items and slice size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (items, n) => {
          const stream = new JsonArrayStream([items], n);
          // Nest reads an async iterable through a stream of its own, joining the slices: it must not see one.
          expect((stream as unknown as Record<symbol, unknown>)[Symbol.asyncIterator]).toBeUndefined();
          const { text } = await readAll(stream);
          expect(text).toBe(JSON.stringify(items));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes the items of lists and serialised runs as one array, empty runs included', async () => {
    const serialised = (items: unknown[]) =>
      new SerialisedItems([Buffer.from(JSON.stringify(items).slice(1, -1))], items.length);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 6 })), { maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (runs, n) => {
          const parts = runs.map(([kept, items]) => (kept ? serialised(items) : items));
          const { text } = await readAll(new JsonArrayStream(parts, n));
          expect(text).toBe(JSON.stringify(runs.flatMap(([, items]) => items)));
          expect(countItems(parts)).toBe(runs.reduce((sum, [, items]) => sum + items.length, 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends a big list in slices, with non-ASCII text intact', async () => {
    const items = Array.from({ length: 1234 }, (_, i) => ({ dnsName: `h${i}.bücher.example`, targets: ['"ü"'] }));
    const { text, chunks } = await readAll(new JsonArrayStream([items], 500));
    expect(chunks).toBe(3);
    expect(JSON.parse(text)).toEqual(items);
  });
});

describe('JsonArrayStream memory', () => {
  // The test's own collector (V8 gives none without the flag): it checks that
  // the list can be collected while the stream object is still held.
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;

  it('lets go of the list once it is sent, and when torn down before', async () => {
    const sent = (): { stream: JsonArrayStream; list: WeakRef<object> } => {
      const items = Array.from({ length: 1200 }, (_, i) => ({ dnsName: `h${i}.example.com` }));
      return { stream: new JsonArrayStream([items], 500), list: new WeakRef(items) };
    };
    const whole = sent();
    expect(JSON.parse((await readAll(whole.stream)).text)).toHaveLength(1200);
    const tornDown = sent();
    tornDown.stream.read();
    tornDown.stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    const kept = sent();
    collect();
    expect(whole.list.deref()).toBeUndefined();
    expect(tornDown.list.deref()).toBeUndefined();
    // The check can fail: a stream not yet sent still holds its list.
    expect(kept.list.deref()).toBeDefined();
    expect([whole.stream, tornDown.stream, kept.stream]).toHaveLength(3);
  });
});

describe('ChunksWrittenAtOnce', () => {
  it('writes its chunks to the destination in one writev, ends both, and offers no async iterator', async () => {
    const chunks = ['[', '{"a":1}', ',', '', '{"b":"ü"}', ']'].map((text) => Buffer.from(text));
    const writevs: number[] = [];
    const received: Buffer[] = [];
    const destination = new Writable({
      writev(entries, done) {
        writevs.push(entries.length);
        received.push(...entries.map((entry) => entry.chunk as Buffer));
        done();
      },
      write(chunk: Buffer, _encoding, done) {
        writevs.push(1);
        received.push(chunk);
        done();
      },
    });
    const answer = new ChunksWrittenAtOnce(chunks);
    expect(answer.byteLength).toBe(Buffer.concat(chunks).length);
    // Nest reads an async iterable through a stream of its own, joining the chunks: it must not see one.
    expect((answer as unknown as Record<symbol, unknown>)[Symbol.asyncIterator]).toBeUndefined();
    const ended = new Promise((resolve) => answer.on('end', resolve));
    const finished = new Promise((resolve) => destination.on('finish', resolve));
    answer.pipe(destination);
    await Promise.all([ended, finished]);
    expect(writevs).toEqual([5]);
    expect(Buffer.concat(received).toString()).toBe('[{"a":1},{"b":"ü"}]');
    expect(received[1]).toBe(chunks[1]);
  });

  it('reads as its chunks where it is read rather than piped', async () => {
    const answer = new ChunksWrittenAtOnce([Buffer.from('['), Buffer.from('1'), Buffer.from(']')]);
    const read: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => read.push(chunk));
    await new Promise((resolve) => answer.on('end', resolve));
    expect(Buffer.concat(read).toString()).toBe('[1]');
  });
});
