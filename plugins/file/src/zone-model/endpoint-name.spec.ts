import fc from 'fast-check';
import { canonicalHostname } from '../zone-file/dns-names.js';
import { isEndpointOwnerName } from './endpoint-name.js';

function accepted(name: string): boolean {
  try {
    return canonicalHostname(name, { wildcard: true }) === name;
  } catch {
    return false;
  }
}

describe('isEndpointOwnerName', () => {
  it.each([
    ['www.example.com', true],
    ['*.example.com', true],
    ['_sip._tcp.example.com', true],
    ['a-b.example.com', true],
    ['-a.example.com', false],
    ['a-.example.com', false],
    ['a..example.com', false],
    ['a.*.example.com', false],
    ['*a.example.com', false],
    ['a\\.b.example.com', false],
    ['a b.example.com', false],
    ['', false],
    [`${'a'.repeat(64)}.example.com`, false],
    [`${'a'.repeat(63)}.example.com`, true],
  ])('%j → %s, as canonicalHostname says', (name, expected) => {
    expect(isEndpointOwnerName(name)).toBe(expected);
    expect(accepted(name)).toBe(expected);
  });

  it('agrees with canonicalHostname on any lower-case name', () => {
    const label = fc.stringMatching(/^[a-z0-9_*\\. -]{0,70}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), (labels) => {
        const name = labels.join('.');
        expect(isEndpointOwnerName(name)).toBe(accepted(name));
      }),
      { numRuns: 2000 },
    );
  });
});
