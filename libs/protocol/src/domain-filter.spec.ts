import { DomainFilterError, DomainFilterMatcher } from './domain-filter.js';

describe('DomainFilterMatcher', () => {
  it('matches every name when empty', () => {
    const matcher = new DomainFilterMatcher({});
    expect(matcher.isEmpty).toBe(true);
    expect(matcher.matches('anything.example')).toBe(true);
  });

  it('matches a domain and its subdomains on a dot boundary only', () => {
    const matcher = new DomainFilterMatcher({ include: ['example.com'] });
    expect(matcher.matches('example.com')).toBe(true);
    expect(matcher.matches('www.example.com.')).toBe(true);
    expect(matcher.matches('WWW.EXAMPLE.COM')).toBe(true);
    expect(matcher.matches('myexample.com')).toBe(false);
    expect(matcher.matches('example.org')).toBe(false);
  });

  it('matches only subdomains for a leading dot', () => {
    const matcher = new DomainFilterMatcher({ include: ['.example.com'] });
    expect(matcher.matches('example.com')).toBe(false);
    expect(matcher.matches('a.example.com')).toBe(true);
  });

  it('lets an exclusion win over an inclusion', () => {
    const matcher = new DomainFilterMatcher({ include: ['example.com'], exclude: ['dev.example.com'] });
    expect(matcher.matches('www.example.com')).toBe(true);
    expect(matcher.matches('dev.example.com')).toBe(false);
    expect(matcher.matches('a.dev.example.com')).toBe(false);
  });

  it('supports the regex form', () => {
    const matcher = new DomainFilterMatcher({ regexInclude: '(^|\\.)example\\.com$', regexExclude: '^dev\\.' });
    expect(matcher.matches('www.example.com')).toBe(true);
    expect(matcher.matches('dev.example.com')).toBe(false);
    expect(matcher.matches('example.org')).toBe(false);
  });

  it('refuses lists and regexes together, and a regex that does not compile', () => {
    expect(() => new DomainFilterMatcher({ include: ['a.com'], regexInclude: 'a' })).toThrow(DomainFilterError);
    expect(() => new DomainFilterMatcher({ regexInclude: '(' })).toThrow(/not valid RE2/);
  });

  it('compiles regexes as RE2: refuses what Go cannot compile, takes what only RE2 has', () => {
    expect(() => new DomainFilterMatcher({ regexInclude: '^(?!dev)' })).toThrow(/not valid RE2/);
    expect(() => new DomainFilterMatcher({ regexExclude: '(a)\\1' })).toThrow(/not valid RE2/);
    expect(new DomainFilterMatcher({ regexInclude: '(?i)^\\p{Greek}+\\.org$' }).matches('xn--mxacd.org')).toBe(true);
  });

  it('matches names and entries in their Unicode form, whichever form each is written in', () => {
    for (const entry of ['bücher.de', 'xn--bcher-kva.de', 'BÜCHER.de.']) {
      const matcher = new DomainFilterMatcher({ include: [entry] });
      expect(matcher.matches('www.xn--bcher-kva.de')).toBe(true);
      expect(matcher.matches('www.bücher.de')).toBe(true);
      expect(matcher.matches('www.buecher.de')).toBe(false);
    }
    expect(new DomainFilterMatcher({ regexInclude: '^www\\.bücher\\.de$' }).matches('www.xn--bcher-kva.de')).toBe(true);
  });
});
