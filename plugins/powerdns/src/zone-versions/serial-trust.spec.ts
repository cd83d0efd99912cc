import { serialTrust } from './serial-trust.js';

describe('serialTrust', () => {
  it.each(['DEFAULT', 'INCREASE', 'SOA-EDIT-INCREASE', 'default', ' increase '])(
    'trusts %p, which moves the serial on every API change',
    (setting) => {
      expect(serialTrust(setting)).toEqual({ trusted: true });
    },
  );

  it('does not trust an empty or missing setting, and says the serial never moves', () => {
    for (const setting of ['', undefined]) {
      const trust = serialTrust(setting);
      expect(trust.trusted).toBe(false);
      expect(!trust.trusted && trust.why).toContain('not set');
    }
  });

  it('does not trust EPOCH (two changes in one second share a serial)', () => {
    const trust = serialTrust('EPOCH');
    expect(!trust.trusted && trust.why).toContain('same second');
  });

  it.each(['SOA-EDIT', 'INCEPTION-INCREMENT', 'NONE'])('does not trust %p, naming it', (setting) => {
    const trust = serialTrust(setting);
    expect(!trust.trusted && trust.why).toContain(setting);
  });
});
