import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { RememberedParse } from './remembered-parse.js';
import { ZoneStore, forgetStaleParse } from './zone-store.js';

const ZONE = 'example.com';
const TEXT = `$ORIGIN ${ZONE}.\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\n@ IN NS ns1\nwww 300 IN A 192.0.2.1\n`;

describe('ZoneStore reuse of the parse of unchanged bytes', () => {
  let dir: string;
  let path: string;
  let store: ZoneStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-store-'));
    path = join(dir, `${ZONE}.zone`);
    await writeFile(path, TEXT);
    store = new ZoneStore({ dir, defaultTtl: 300, nameservers: [`ns1.${ZONE}`], lockTimeoutMs: 5000 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const addRecord = (name: string) => (loaded: Array<{ file: { records: unknown[] } }>) => {
    loaded[0]!.file.records.push({ name, ttl: 300, type: 'A', data: '192.0.2.9', verbatim: false, origin: ZONE });
    return new Set([ZONE]);
  };

  it('reads unchanged bytes without parsing them again, and changed ones anew', async () => {
    const first = await store.load(ZONE, path);
    expect((await store.load(ZONE, path)).file).toBe(first.file);
    await writeFile(path, TEXT.replace('192.0.2.1', '192.0.2.2'));
    const changed = await store.load(ZONE, path);
    expect(changed.file).not.toBe(first.file);
    expect(changed.file.records.find((r) => r.name === `www.${ZONE}`)?.data).toBe('192.0.2.2');
  });

  it('remembers what it wrote as the parse of the written bytes, and leaves the parse it read unchanged', async () => {
    const read = await store.load(ZONE, path);
    const readRecords = JSON.stringify(read.file.records);
    await store.update(new Map([[ZONE, path]]), addRecord(`new.${ZONE}`));
    expect(JSON.stringify(read.file.records)).toBe(readRecords);

    const remembered = (await store.load(ZONE, path)).file;
    const reparsed = parseZoneFile(await readFile(path, 'utf8'), { origin: ZONE, defaultTtl: 300 });
    const identity = (records: typeof reparsed.records) =>
      records.map(({ name, ttl, type, data, verbatim }) => JSON.stringify([name, ttl, type, data, verbatim])).sort();
    expect(identity(remembered.records)).toEqual(identity(reparsed.records));
    expect(remembered.records.find((r) => r.type === 'SOA')?.data).toMatch(/ 20\d{8} /);
  });

  it('a second write starts from the first one’s records when the file still holds its bytes', async () => {
    await store.update(new Map([[ZONE, path]]), addRecord(`a.${ZONE}`));
    await store.update(new Map([[ZONE, path]]), addRecord(`b.${ZONE}`));
    const names = parseZoneFile(await readFile(path, 'utf8'), { origin: ZONE }).records.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([`a.${ZONE}`, `b.${ZONE}`, `www.${ZONE}`]));
  });
});

describe('forgetStaleParse', () => {
  it('drops the parse of that file only, so the old zone is not kept alive while the new bytes are parsed', () => {
    const parse = () => new RememberedParse(Buffer.from(TEXT), parseZoneFile(TEXT, { origin: ZONE }));
    const remembered = new Map([
      ['/zones/a.zone', parse()],
      ['/zones/b.zone', parse()],
    ]);
    forgetStaleParse(remembered, '/zones/a.zone');
    expect([...remembered.keys()]).toEqual(['/zones/b.zone']);
  });
});
