import fc from 'fast-check';
import type { EndpointDto } from './endpoint.dto.js';
import { passesEndpointRulesQuickly } from './endpoint-quick-check.js';
import { fromDto, parseChangesBody, parseEndpointsBody, toEndpoint, WireValidationError } from './parse-wire.js';

describe('parseChangesBody', () => {
  it('treats null and missing lists as empty', () => {
    expect(parseChangesBody(null)).toEqual({ create: [], updateOld: [], updateNew: [], delete: [] });
    expect(parseChangesBody({ Create: null, delete: [] })).toEqual({
      create: [],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
  });

  it('matches keys case-insensitively at every level, keeping label keys as sent', () => {
    const changes = parseChangesBody({
      UpdateOld: [{ DNSName: 'a.example.com', Targets: ['1.2.3.4'], RecordType: 'A', Labels: { Owner: 'x' } }],
      UPDATENEW: [{ dnsname: 'a.example.com', targets: ['1.2.3.5'], recordtype: 'a', recordttl: 60 }],
    });
    expect(changes.updateOld).toEqual([
      { dnsName: 'a.example.com', targets: ['1.2.3.4'], recordType: 'A', labels: { Owner: 'x' } },
    ]);
    expect(changes.updateNew).toEqual([
      { dnsName: 'a.example.com', targets: ['1.2.3.5'], recordType: 'A', recordTTL: 60 },
    ]);
  });

  it('ignores unknown keys, as Go does', () => {
    expect(
      parseChangesBody({ create: [{ dnsName: 'a.b', recordType: 'A', targets: [], extra: 1 }], other: true }).create,
    ).toEqual([{ dnsName: 'a.b', recordType: 'A', targets: [] }]);
  });

  it('names the field of every problem', () => {
    try {
      parseChangesBody({
        create: [{ dnsName: 'a.b', recordType: 'A', recordTTL: '60' }],
        delete: [{ recordType: 'A', providerSpecific: [{ name: 5 }] }],
      });
      throw new Error('expected a WireValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(WireValidationError);
      const message = (error as Error).message;
      expect(message).toContain('create[0].recordTTL');
      expect(message).toContain('delete[0].dnsName');
      expect(message).toContain('delete[0].providerSpecific[0].name');
    }
  });

  it('refuses unpaired updates and non-object bodies', () => {
    expect(() => parseChangesBody({ updateOld: [{ dnsName: 'a.b', recordType: 'A' }] })).toThrow(/paired by position/);
    expect(() => parseChangesBody([])).toThrow(WireValidationError);
    expect(() => parseChangesBody('x')).toThrow(WireValidationError);
  });
});

describe('parseEndpointsBody', () => {
  it('accepts null and an array', () => {
    expect(parseEndpointsBody(null)).toEqual([]);
    expect(
      parseEndpointsBody([{ dnsName: 'a.b', recordType: 'TXT', targets: ['"x"'], setIdentifier: '', recordTTL: 0 }]),
    ).toEqual([{ dnsName: 'a.b', recordType: 'TXT', targets: ['"x"'] }]);
  });

  it('refuses a provider-specific property that is an array with a 400, not the TypeError class-validator throws', () => {
    expect(() =>
      parseEndpointsBody([{ dnsName: 'a.b', recordType: 'A', providerSpecific: [{ name: 'x' }, [{}]] }]),
    ).toThrow(new WireValidationError(['[0].providerSpecific[1] must be an object with a string name']));
  });

  it('refuses labels that are not a string map', () => {
    expect(() => parseEndpointsBody([{ dnsName: 'a.b', recordType: 'A', labels: { a: 1 } }])).toThrow(/\[0\]\.labels/);
  });
});

describe('toEndpoint', () => {
  it('gives what fromDto gives, for any endpoint that passes the quick check, reusing only objects already in that form', () => {
    const text = fc.constantFrom('', 'a.example.org', 'x');
    const wireEndpoint = fc.record(
      {
        dnsName: fc.constantFrom('a.example.org', 'B.example.org.'),
        targets: fc.oneof(fc.constant(null), fc.array(text, { maxLength: 2 })),
        recordType: fc.constantFrom('A', 'txt', 'Cname'),
        recordTTL: fc.oneof(fc.constant(null), fc.constant(0), fc.integer({ min: 1, max: 86400 })),
        setIdentifier: fc.oneof(fc.constant(null), text),
        labels: fc.oneof(fc.constant(null), fc.dictionary(fc.constantFrom('owner', 'resource'), text)),
        providerSpecific: fc.oneof(
          fc.constant(null),
          fc.array(fc.record({ name: text, value: fc.oneof(fc.constant(null), text) }, { requiredKeys: ['name'] }), {
            maxLength: 2,
          }),
        ),
      },
      { requiredKeys: ['dnsName', 'recordType'] },
    );
    fc.assert(
      fc.property(wireEndpoint, (endpoint) => {
        const parsed = JSON.parse(JSON.stringify(endpoint)) as EndpointDto;
        if (!passesEndpointRulesQuickly(parsed)) return;
        const expected = fromDto(JSON.parse(JSON.stringify(endpoint)) as EndpointDto);
        const result = toEndpoint(parsed);
        expect(result).toStrictEqual(expected);
        if (result === parsed) expect(Object.keys(parsed).sort()).toEqual(Object.keys(expected).sort());
      }),
      { numRuns: 1000 },
    );
  });

  it('reuses the object ExternalDNS sends and copies one it has to change', () => {
    const sent = { dnsName: 'a.example.org', targets: ['192.0.2.1'], recordType: 'A', recordTTL: 300 };
    expect(toEndpoint(sent as EndpointDto)).toBe(sent);
    const lowerCaseType = { dnsName: 'a.example.org', targets: ['192.0.2.1'], recordType: 'a' };
    expect(toEndpoint(lowerCaseType as EndpointDto)).not.toBe(lowerCaseType);
  });
});
