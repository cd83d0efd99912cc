import fc from 'fast-check';
import { buildWireEndpoint, jsonString, recordSetJson, toWireEndpoint, type Endpoint } from './endpoint.js';

describe('toWireEndpoint', () => {
  it('serialises exactly as the endpoint built for the wire, for any endpoint', () => {
    const field = {
      dnsName: fc.constantFrom('a.example.org', ''),
      targets: fc.array(fc.constantFrom('192.0.2.1', '"txt"'), { maxLength: 2 }),
      recordType: fc.constantFrom('A', 'TXT'),
      setIdentifier: fc.constantFrom('', 'eu', undefined),
      recordTTL: fc.constantFrom(0, 300, 12.5, -1, undefined),
      labels: fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('owner', 'resource'), fc.string())),
      providerSpecific: fc.oneof(
        fc.constant(undefined),
        fc.array(fc.record({ name: fc.constantFrom('webhook/x'), value: fc.constantFrom('1') }), { maxLength: 2 }),
      ),
      extra: fc.constantFrom(1, undefined),
    };
    // Any subset of the fields, in any order, as a plugin might build them.
    const endpoint = fc
      .shuffledSubarray(Object.keys(field) as (keyof typeof field)[])
      .chain((keys) => fc.tuple(...keys.map((key) => field[key].map((value) => [key, value] as const))))
      .map((entries) => Object.fromEntries(entries) as unknown as Endpoint);
    fc.assert(
      fc.property(endpoint, (candidate) => {
        expect(JSON.stringify(toWireEndpoint(candidate))).toBe(JSON.stringify(buildWireEndpoint(candidate)));
      }),
      { numRuns: 2000 },
    );
  });

  it('sends an endpoint already in wire form as it is, and builds one for any other', () => {
    const plain: Endpoint = { dnsName: 'a.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 };
    expect(toWireEndpoint(plain)).toBe(plain);
    const reordered = { recordType: 'A', dnsName: 'a.example.org', targets: ['192.0.2.1'] };
    expect(toWireEndpoint(reordered)).not.toBe(reordered);
    const emptyLabels: Endpoint = { dnsName: 'a.example.org', targets: [], recordType: 'A', labels: {} };
    expect(toWireEndpoint(emptyLabels)).toEqual({ dnsName: 'a.example.org', targets: [], recordType: 'A' });
    class Record implements Endpoint {
      dnsName = 'a.example.org';
      targets = [];
      recordType = 'A';
    }
    const instance = new Record();
    expect(toWireEndpoint(instance)).not.toBe(instance);
  });
});

describe('recordSetJson', () => {
  it('writes what JSON.stringify of the wire endpoint writes, for any text (quotes, controls, lone surrogates)', () => {
    // Each unit JSON.stringify treats apart, alone and mixed with plain ones.
    const unit = fc.constantFrom('a', '.', '"', '\\', '\u0000', '\u001f', ' ', '\u00e9', '\ud800', '\udc00', '\uffff');
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit }),
      fc.constantFrom('a.example.org', '\ud83d\ude00'),
    );
    fc.assert(
      fc.property(
        text,
        fc.array(text, { maxLength: 3 }),
        fc.constantFrom('A', 'TXT', 'x"y'),
        fc.constantFrom(0, 1, 300, 12.5, -1, 2147483647),
        (dnsName, targets, recordType, recordTTL) => {
          const endpoint: Endpoint = { dnsName, targets, recordType, recordTTL };
          expect(recordSetJson(dnsName, targets, recordType, recordTTL)).toBe(JSON.stringify(toWireEndpoint(endpoint)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('has jsonString write what JSON.stringify writes for a string', () => {
    const unit = fc.constantFrom('a', '"', '\\', '\u0000', '\u001f', '\u007f', '\u00e9', '\ud800', '\udc00');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit })), (text) => {
        expect(jsonString(text)).toBe(JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });
});
