import { jest } from '@jest/globals';
import fc from 'fast-check';
import { lowerCased, upperCased } from './text-case.js';

describe('lowerCased and upperCased', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('host1.example.com', 'HOST.Example.COM', 'İstanbul', 'straße', 'ǅ', 'A', 'TXT', 'txt', ''),
  );

  it('give what toLowerCase and toUpperCase give, for any text', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(lowerCased(value)).toBe(value.toLowerCase());
        expect(upperCased(value)).toBe(value.toUpperCase());
      }),
      { numRuns: 3000 },
    );
  });

  it('leave a string with nothing to change alone: V8 is not asked to copy it', () => {
    const lower = jest.spyOn(String.prototype, 'toLowerCase');
    const upper = jest.spyOn(String.prototype, 'toUpperCase');
    try {
      for (const value of ['host1.example.com', 'a-b_c.example', '', '0.0.0.0']) expect(lowerCased(value)).toBe(value);
      for (const value of ['TXT', 'A', 'CNAME', '']) expect(upperCased(value)).toBe(value);
      expect(lower).not.toHaveBeenCalled();
      expect(upper).not.toHaveBeenCalled();
      expect(lowerCased('Host.example.com')).toBe('host.example.com');
      expect(lower).toHaveBeenCalledTimes(1);
    } finally {
      lower.mockRestore();
      upper.mockRestore();
    }
  });
});
