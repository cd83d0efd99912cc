import 'reflect-metadata';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { EndpointDto, ProviderSpecificPropertyDto } from './endpoint.dto.js';
import { passesEndpointRulesQuickly } from './endpoint-quick-check.js';

function asDto(value: Record<string, unknown>): EndpointDto {
  const dto = Object.assign(new EndpointDto(), value);
  if (Array.isArray(dto.providerSpecific)) {
    dto.providerSpecific = dto.providerSpecific.map((p: unknown) =>
      p !== null && typeof p === 'object'
        ? Object.assign(new ProviderSpecificPropertyDto(), p)
        : (p as ProviderSpecificPropertyDto),
    );
  }
  return dto;
}

const classValidatorAccepts = (dto: EndpointDto) => validateSync(dto, { forbidUnknownValues: false }).length === 0;

// Each field is either a well-formed value or any JSON value, so both sides of every rule are explored.
const either = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, fc.jsonValue(), fc.constant(undefined), fc.constant(null));
const wellFormed = {
  dnsName: fc.domain(),
  targets: fc.array(fc.string()),
  recordType: fc.constantFrom('A', 'AAAA', 'TXT', 'CNAME'),
  setIdentifier: fc.string(),
  recordTTL: fc.integer({ min: 0, max: 2 ** 31 }),
  labels: fc.dictionary(fc.string(), fc.string()),
  providerSpecific: fc.array(fc.record({ name: fc.string(), value: fc.option(fc.string(), { nil: undefined }) })),
};

describe('passesEndpointRulesQuickly', () => {
  it('never accepts an endpoint that class-validator refuses', () => {
    const anyEndpoint = fc.record(
      Object.fromEntries(Object.entries(wellFormed).map(([key, good]) => [key, either(good as fc.Arbitrary<unknown>)])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(anyEndpoint, (value) => {
        const dto = asDto(value as Record<string, unknown>);
        if (passesEndpointRulesQuickly(dto)) expect(classValidatorAccepts(dto)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts well-formed endpoints, so the quick path is the one taken', () => {
    fc.assert(
      fc.property(fc.record(wellFormed, { requiredKeys: ['dnsName', 'recordType'] }), (value) => {
        const dto = asDto(value);
        expect(passesEndpointRulesQuickly(dto)).toBe(true);
        expect(classValidatorAccepts(dto)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what class-validator refuses for the usual mistakes', () => {
    for (const bad of [
      { dnsName: '', recordType: 'A' },
      { dnsName: 'a.example', recordType: 'A', recordTTL: 1.5 },
      { dnsName: 'a.example', recordType: 'A', recordTTL: '60' },
      { dnsName: 'a.example', recordType: 'A', targets: [1] },
      { dnsName: 'a.example', recordType: 'A', labels: { a: 1 } },
      { dnsName: 'a.example', recordType: 'A', providerSpecific: [{ value: 'x' }] },
    ]) {
      const dto = asDto(bad);
      expect(passesEndpointRulesQuickly(dto)).toBe(false);
      expect(classValidatorAccepts(dto)).toBe(false);
    }
  });
});
