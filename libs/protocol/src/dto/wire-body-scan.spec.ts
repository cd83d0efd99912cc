import fc from 'fast-check';
import { parseChangesBody, parseEndpointsBody, WireValidationError } from './parse-wire.js';
import { isIntegerJsonNumber, MAX_WIRE_DEPTH, scanWireBody, type WireBodyKind } from './wire-body-scan.js';

/** What the gateway did before the scan: JSON.parse, then the wire parser. */
function authority(text: string, kind: WireBodyKind): 'not JSON' | 'accepted' | WireValidationError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  try {
    if (kind === 'changes') parseChangesBody(body);
    else parseEndpointsBody(body);
    return 'accepted';
  } catch (error) {
    if (error instanceof WireValidationError) return error;
    throw error;
  }
}

const scan = (text: string, kind: WireBodyKind | undefined) => scanWireBody(Buffer.from(text, 'utf8'), kind);

// ---- generated wire bodies, written as text so that they can hold what JSON.stringify never writes ----

const space = fc.constantFrom('', '', '', ' ', '\n  ', '\t', '\r\n');
const anyJson = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null');
const jsonString = fc.oneof(
  fc.string({ maxLength: 12 }).map((text) => JSON.stringify(text)),
  fc.constantFrom('"www.example.org"', '"b\\u00fccher.example.org"', '"\\"quoted\\""', '"a\\\\b"', '"😀.example.org"'),
);
const nonEmptyString = jsonString.filter((text) => text !== '""');

/** Each known key in the spellings Go accepts (and JSON escapes of them), and a few unknown keys. */
function spellings(key: string): fc.Arbitrary<string> {
  const escaped = `"${key.slice(0, 1)}\\u00${key.charCodeAt(1).toString(16)}${key.slice(2)}"`;
  return fc.constantFrom(
    `"${key}"`,
    `"${key}"`,
    `"${key}"`,
    `"${key.toUpperCase()}"`,
    `"${key.toLowerCase()}"`,
    `"${key[0]!.toUpperCase()}${key.slice(1)}"`,
    escaped,
  );
}

function object(entries: fc.Arbitrary<[string, string][]>): fc.Arbitrary<string> {
  return fc
    .tuple(entries, space, space)
    .map(([members, before, after]) => `{${before}${members.map(([k, v]) => `${k}:${v}`).join(`,${after}`)}}`);
}

function array(items: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return fc.tuple(items, space).map(([values, gap]) => `[${gap}${values.join(`,${gap}`)}]`);
}

const integerText = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom('9223372036854775807', '-0', '1e3', '1E+2', '1.0', '300'),
);
const notInteger = fc.constantFrom('1.5', '1e400', '-1e-7', '"60"', 'true', '[]', '{}');

const labels = fc.oneof(
  object(fc.array(fc.tuple(jsonString, jsonString), { maxLength: 4 })),
  object(fc.array(fc.tuple(jsonString, fc.oneof(jsonString, anyJson)), { maxLength: 4 })),
  fc.constant('null'),
  anyJson,
);

const property = object(
  fc.array(
    fc.oneof(
      fc.tuple(spellings('name'), fc.oneof(jsonString, jsonString, anyJson)),
      fc.tuple(spellings('value'), fc.oneof(jsonString, fc.constant('null'), anyJson)),
      fc.tuple(fc.constant('"other"'), anyJson),
    ),
    { maxLength: 4 },
  ),
);

const providerSpecific = fc.oneof(
  array(fc.array(property, { maxLength: 3 })),
  array(fc.array(fc.oneof(property, anyJson), { maxLength: 3 })),
  fc.constant('null'),
  fc.constantFrom('5', '"x"', '{}', '[null]', '[1]', '[[]]'),
);

const field: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(spellings('dnsName'), fc.oneof(nonEmptyString, nonEmptyString, nonEmptyString, jsonString, anyJson)),
  fc.tuple(spellings('recordType'), fc.oneof(fc.constantFrom('"A"', '"TXT"', '"cname"'), jsonString, anyJson)),
  fc.tuple(spellings('targets'), fc.oneof(array(fc.array(jsonString, { maxLength: 3 })), anyJson)),
  fc.tuple(spellings('setIdentifier'), fc.oneof(jsonString, fc.constant('null'), anyJson)),
  fc.tuple(spellings('recordTTL'), fc.oneof(integerText, integerText, notInteger, fc.constant('null'))),
  fc.tuple(spellings('labels'), labels),
  fc.tuple(spellings('providerSpecific'), providerSpecific),
  fc.tuple(fc.constantFrom('"extra"', '"__proto__"', '"dns_name"'), anyJson),
);

/** A valid endpoint, then fields added (maybe twice, maybe wrong) or one of the required two left out. */
const endpoint = fc.oneof(
  { weight: 6, arbitrary: object(fc.array(field, { maxLength: 8 })) },
  {
    weight: 6,
    arbitrary: object(
      fc.tuple(fc.array(field, { maxLength: 4 }), fc.boolean()).map(([extra, first]): [string, string][] => {
        const required: [string, string][] = [
          ['"dnsName"', '"x.example.org"'],
          ['"recordType"', '"A"'],
        ];
        return first ? [...required, ...extra] : [...extra, ...required];
      }),
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

const endpointList = array(fc.array(endpoint, { maxLength: 6 }));

const changes = fc.oneof(
  {
    weight: 8,
    arbitrary: object(
      fc.array(
        fc.oneof(
          fc.tuple(
            fc.oneof(spellings('create'), spellings('updateOld'), spellings('updateNew'), spellings('delete')),
            fc.oneof(endpointList, endpointList, endpointList, fc.constant('null'), anyJson),
          ),
          fc.tuple(fc.constant('"unknown"'), anyJson),
        ),
        { maxLength: 5 },
      ),
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

const endpoints = fc.oneof({ weight: 8, arbitrary: endpointList }, { weight: 1, arbitrary: anyJson });

describe('scanWireBody', () => {
  it.each([
    ['changes', changes],
    ['endpoints', endpoints],
  ] as const)('gives the verdict and the error of JSON.parse and the wire parser on %s bodies', (kind, bodies) => {
    fc.assert(
      fc.property(bodies, (text) => {
        const expected = authority(text, kind);
        const verdict = scan(text, kind);
        if (expected === 'not JSON') return verdict.verdict === 'unreadable';
        if (expected === 'accepted') return verdict.verdict === 'parse';
        if (verdict.verdict !== 'refuse') return false;
        expect(verdict.error.problems).toEqual(expected.problems);
        expect(verdict.error.undescribed).toBe(expected.undescribed);
        expect(verdict.error.message).toBe(expected.message);
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('finds every syntax error JSON.parse finds, in bodies one edit away from JSON', () => {
    const edited = fc
      .tuple(changes, fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '\\', ':', '0', '-', '.', 'x', '\u0001', ' '))
      .map(([text, at, insert]) => {
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position + (at % 2));
      });
    fc.assert(
      fc.property(edited, (text) => {
        if (text.trim() === '') return true;
        let json = true;
        try {
          JSON.parse(text);
        } catch {
          json = false;
        }
        return (scan(text, undefined).verdict !== 'unreadable') === json;
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a provider-specific property that is an array, as the wire parser now does (class-validator threw a TypeError: a 500)', () => {
    for (const properties of ['[[]]', '[[{}]]', '[{"name":"a"},[1]]']) {
      const text = `[{"dnsName":"a.b","recordType":"A","providerSpecific":${properties}}]`;
      const expected = authority(text, 'endpoints');
      expect(expected).toBeInstanceOf(WireValidationError);
      expect(scan(text, 'endpoints')).toEqual({ verdict: 'refuse', error: expected });
    }
  });

  it('resolves duplicate keys and key spellings as JSON.parse and the wire parser do', () => {
    for (const [text, verdict] of [
      ['[{"dnsName":"","dnsName":"a.b","recordType":"A"}]', 'parse'],
      ['[{"dnsName":"a.b","dnsName":"","recordType":"A"}]', 'refuse'],
      ['[{"DNSName":"","dnsName":"a.b","recordType":"A"}]', 'parse'],
      ['[{"dnsName":"a.b","DNSName":"","recordType":"A"}]', 'parse'],
      ['[{"DNSName":"","DnsName":"a.b","recordType":"A"}]', 'refuse'],
      ['[{"dnsName":"a.b","recordType":"A","labels":{"a":1,"a":"x"}}]', 'parse'],
      ['[{"dnsName":"a.b","recordType":"A","labels":{"a":"x","a":1}}]', 'refuse'],
    ] as const) {
      expect([text, scan(text, 'endpoints').verdict]).toEqual([text, verdict]);
    }
  });

  it(`refuses nesting deeper than ${MAX_WIRE_DEPTH} levels, anywhere, and takes it up to there`, () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(scan(nested(MAX_WIRE_DEPTH), undefined).verdict).toBe('parse');
    expect(scan(nested(MAX_WIRE_DEPTH + 1), undefined)).toEqual({
      verdict: 'unreadable',
      message: expect.stringContaining(`deeper than ${MAX_WIRE_DEPTH} levels`),
    });
    const inEndpoint = `{"create":[{"dnsName":"a.b","recordType":"A","x":${nested(MAX_WIRE_DEPTH)}}]}`;
    expect(scan(inEndpoint, 'changes').verdict).toBe('unreadable');
    expect(scan(`{"create":[{"dnsName":"a.b","recordType":"A","x":${nested(20)}}]}`, 'changes').verdict).toBe('parse');
  });

  it('judges invalid UTF-8 in strings as UTF-8 decoding does (replaced, not refused)', () => {
    const bytes = Buffer.concat([
      Buffer.from('[{"dnsName":"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('.b","recordType":"A"}]'),
    ]);
    expect(scanWireBody(bytes, 'endpoints').verdict).toBe('parse');
    expect(() => parseEndpointsBody(JSON.parse(bytes.toString('utf8')))).not.toThrow();
  });

  describe('bodies of the 32 MiB limit', () => {
    const limit = 32 * 1024 * 1024;

    it('refuses 32 MiB of zeros as the wire parser would, naming ten and counting the rest', () => {
      const items = limit / 2 - 1;
      const verdict = scanWireBody(Buffer.from(`[${'0,'.repeat(items - 1)}0]`), 'endpoints');
      expect(verdict.verdict).toBe('refuse');
      if (verdict.verdict !== 'refuse') return;
      expect(verdict.error.problems).toEqual(Array.from({ length: 10 }, (_, i) => `[${i}] must be an endpoint object`));
      expect(verdict.error.undescribed).toBe(items - 10);
    });

    it('refuses a create list of 32 MiB of empty objects', () => {
      const items = Math.floor((limit - 13) / 3);
      const verdict = scanWireBody(Buffer.from(`{"create":[${'{},'.repeat(items - 1)}{}]}`), 'changes');
      expect(verdict.verdict).toBe('refuse');
      if (verdict.verdict === 'refuse') expect(verdict.error.undescribed).toBe(items - 10);
    });

    it('passes 32 MiB of valid endpoints on to the full parse', () => {
      const one = JSON.stringify({
        dnsName: 'host-0000000.example.org',
        targets: ['10.0.0.1'],
        recordType: 'A',
        recordTTL: 300,
        labels: { owner: 'default', resource: 'service/default/web' },
      });
      const count = Math.floor((limit - 2) / (one.length + 1));
      const bytes = Buffer.from(`[${Array.from({ length: count }, () => one).join(',')}]`);
      expect(bytes.length).toBeLessThanOrEqual(limit);
      expect(scanWireBody(bytes, 'endpoints')).toEqual({ verdict: 'parse' });
    });

    it('describes an endpoint too big to parse again in its own words', () => {
      const targets = `[${'0,'.repeat(100_000)}0]`;
      const verdict = scan(`[{"dnsName":"a.b","recordType":"A","targets":${targets}}]`, 'endpoints');
      expect(verdict).toMatchObject({ verdict: 'refuse' });
      if (verdict.verdict === 'refuse')
        expect(verdict.error.problems).toEqual(['[0].targets must be an array of strings']);
    });
  });
});

describe('isIntegerJsonNumber', () => {
  const digits = (min: number, max: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
  /** JSON numbers: -?int(.frac)?(e[+-]?exp)?, short and long, integral or not. */
  const jsonNumber = fc
    .tuple(
      fc.boolean(),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0, 330)).map(([a, b]) => `${a}${b}`),
      ),
      fc.option(digits(1, 20)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), digits(1, 4))),
    )
    .map(([minus, int, frac, exp]) => `${minus ? '-' : ''}${int}${frac ? `.${frac}` : ''}${exp ? exp.join('') : ''}`);

  it('says what Number.isInteger(Number(text)) says, for any JSON number, wherever it sits in the bytes', () => {
    fc.assert(
      fc.property(jsonNumber, fc.string({ maxLength: 3 }), (text, around) => {
        const bytes = Buffer.from(`${around}${text}${around}`, 'latin1');
        const start = Buffer.byteLength(around, 'latin1');
        expect(isIntegerJsonNumber(bytes, start, start + text.length)).toBe(Number.isInteger(Number(text)));
      }),
      { numRuns: 2000 },
    );
    for (const text of ['300', '-0', '0', '1e2', '1.5', '1.0', '1e400', '9'.repeat(400), '-123456789012345']) {
      expect(isIntegerJsonNumber(Buffer.from(text), 0, text.length)).toBe(Number.isInteger(Number(text)));
    }
  });
});
