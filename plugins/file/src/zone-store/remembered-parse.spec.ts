import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { rememberParse, reusableParse } from './remembered-parse.js';

const TEXT = '$ORIGIN example.com.\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300\nwww 300 IN A 192.0.2.1\n';

describe('reusableParse', () => {
  const bytes = Buffer.from(TEXT);
  const remembered = rememberParse(bytes, parseZoneFile(TEXT, { origin: 'example.com' }));

  it('gives back the remembered records for the same bytes, read again', () => {
    expect(reusableParse(remembered, Buffer.from(TEXT))).toBe(remembered.file);
  });

  it('gives nothing for other bytes, even of the same length, or when nothing is remembered', () => {
    const sameLength = Buffer.from(TEXT.replace('192.0.2.1', '192.0.2.2'));
    expect(sameLength.length).toBe(bytes.length);
    expect(reusableParse(remembered, sameLength)).toBeUndefined();
    expect(reusableParse(undefined, bytes)).toBeUndefined();
  });

  it('freezes the remembered record list, so a writer must copy it', () => {
    expect(() => remembered.file.records.push(remembered.file.records[0]!)).toThrow(TypeError);
  });
});
