import { toALabels, toULabels } from './idn.js';

describe('IDN forms', () => {
  it('writes Unicode labels as A-labels and leaves ASCII names alone', () => {
    expect(toALabels('bücher.example.org')).toBe('xn--bcher-kva.example.org');
    expect(toALabels('_acme.Bücher.example.org.')).toBe('_acme.xn--bcher-kva.example.org.');
    expect(toALabels('*.bücher.example.org')).toBe('*.xn--bcher-kva.example.org');
    expect(toALabels('Plain.Example.org')).toBe('Plain.Example.org');
    expect(toALabels('bad name.bücher.org')).toBe('bad name.bücher.org');
  });

  it('reads A-labels back as Unicode', () => {
    expect(toULabels('www.xn--bcher-kva.example.org')).toBe('www.bücher.example.org');
    expect(toULabels('www.example.org')).toBe('www.example.org');
  });
});
