import { targetsToALabels, toALabels, toULabels } from './idn.js';

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

  it('writes the host names in targets as A-labels, and leaves other targets and types alone', () => {
    expect(targetsToALabels('CNAME', ['bücher.example.org.'])).toEqual(['xn--bcher-kva.example.org.']);
    expect(targetsToALabels('MX', ['10 mail.bücher.example.org'])).toEqual(['10 mail.xn--bcher-kva.example.org']);
    expect(targetsToALabels('SRV', ['0 5 5060 sip.bücher.example.org.'])).toEqual([
      '0 5 5060 sip.xn--bcher-kva.example.org.',
    ]);
    expect(targetsToALabels('TXT', ['"owner=ü"'])).toEqual(['"owner=ü"']);
    const ascii = ['www.example.org.'];
    expect(targetsToALabels('CNAME', ascii)).toBe(ascii);
  });
});
