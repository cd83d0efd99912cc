import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { sortRecordsForWriting } from '../zone-file/zone-file.writer.js';
import { endpointsOf } from '../zone-model/zone-endpoints.js';
import { RememberedParse, reusableParse } from './remembered-parse.js';

const TEXT =
  '$ORIGIN example.com.\nwww 300 IN A 192.0.2.1\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\na 300 IN A 192.0.2.5\n';

describe('reusableParse', () => {
  const bytes = Buffer.from(TEXT);
  const remembered = new RememberedParse(bytes, parseZoneFile(TEXT, { origin: 'example.com' }));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-reuse-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** reusableParse on a file holding `content`. */
  async function reuseFor(
    content: string | Buffer,
    from: RememberedParse | undefined,
  ): Promise<RememberedParse | undefined> {
    const path = join(dir, 'zone');
    await writeFile(path, content);
    const handle = await open(path, 'r');
    try {
      return await reusableParse(from, handle);
    } finally {
      await handle.close();
    }
  }

  it('gives back the remembered parse when the file holds the same bytes', async () => {
    expect(await reuseFor(TEXT, remembered)).toBe(remembered);
  });

  it('gives nothing for other bytes, of the same length or not, or when nothing is remembered', async () => {
    const sameLength = TEXT.replace('192.0.2.1', '192.0.2.2');
    expect(sameLength.length).toBe(TEXT.length);
    expect(await reuseFor(sameLength, remembered)).toBeUndefined();
    expect(await reuseFor(`${TEXT}\n`, remembered)).toBeUndefined();
    expect(await reuseFor(TEXT.slice(1), remembered)).toBeUndefined();
    expect(await reuseFor(TEXT, undefined)).toBeUndefined();
  });

  it('compares files larger than one chunk to the last byte', async () => {
    const big = Buffer.alloc(600 * 1024 + 7, 0x61);
    const large = new RememberedParse(big, { origin: 'example.com', records: [] });
    expect(await reuseFor(big, large)).toBe(large);
    const changed = Buffer.from(big);
    changed[changed.length - 1] = 0x62;
    expect(await reuseFor(changed, large)).toBeUndefined();
  });

  it('freezes the remembered record lists, so a writer must copy them', () => {
    expect(() => remembered.file.records.push(remembered.file.records[0]!)).toThrow(TypeError);
    expect(() => (remembered.inWritingOrder() as unknown[]).pop()).toThrow(TypeError);
  });

  it('sorts the records into the writer’s order once', () => {
    const sorted = remembered.inWritingOrder();
    expect(sorted).toEqual(sortRecordsForWriting(remembered.file.records, 'example.com'));
    expect(sorted.map((r) => r.type)).toEqual(['SOA', 'A', 'A']);
    expect(remembered.inWritingOrder()).toBe(sorted);
  });

  it('lists the endpoints once per set of managed zones, and shares the frozen list', () => {
    const text = `${TEXT}host.sub 300 IN A 192.0.2.7\n`;
    const parse = new RememberedParse(Buffer.from(text), parseZoneFile(text, { origin: 'example.com' }));
    const listed = parse.endpoints(['example.com']);
    expect(listed).toEqual(endpointsOf(parse.file, ['example.com']));
    expect(parse.endpoints(['example.com'])).toBe(listed);
    expect(Object.isFrozen(listed)).toBe(true);
    const withSub = parse.endpoints(['example.com', 'sub.example.com']);
    expect(withSub.map((e) => e.dnsName)).not.toContain('host.sub.example.com');
    expect(listed.map((e) => e.dnsName)).toContain('host.sub.example.com');
  });
});
