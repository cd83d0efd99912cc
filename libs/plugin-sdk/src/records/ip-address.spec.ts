import { canonicalIpv6 } from './ip-address.js';

describe('canonicalIpv6', () => {
  it.each([
    ['2001:DB8:0:0:0::1', '2001:db8::1'],
    [' 2001:db8:0::1 ', '2001:db8::1'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIpv6(input)).toBe(expected);
  });

  it.each(['fe80::1%eth0', '1.2.3.4', 'not-an-address', '2001:db8::1::2', ''])('refuses %p', (input) => {
    expect(canonicalIpv6(input)).toBeUndefined();
  });
});
