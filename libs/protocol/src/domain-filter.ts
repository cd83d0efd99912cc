import { RE2JS } from 're2js';
import { normalizeDnsName } from './dns-name.js';
import { toALabels, toULabels } from './idn.js';

/**
 * The body of the `GET /` answer. Either the list form (`include`/`exclude`)
 * or the regex form (`regexInclude`/`regexExclude`), never both; `{}` matches
 * every name.
 */
export interface DomainFilter {
  include?: string[];
  exclude?: string[];
  regexInclude?: string;
  regexExclude?: string;
}

export class DomainFilterError extends Error {
  override readonly name = 'DomainFilterError';
}

/**
 * Matches names the way ExternalDNS's DomainFilter does: `example.com`
 * matches itself and its subdomains, `.example.com` only its subdomains, and
 * an exclusion wins over an inclusion. Names and list entries are compared in
 * their Unicode (IDNA) form, the form ExternalDNS matches, so `bücher.de` and
 * `xn--bcher-kva.de` are one domain; regular expressions are Go's RE2 dialect,
 * compiled and run by re2js, since ExternalDNS compiles the announced ones
 * with Go's regexp (a JavaScript-only construct would pass here and make its
 * negotiation fail).
 */
export class DomainFilterMatcher {
  private readonly include: string[];
  private readonly exclude: string[];
  private readonly regexInclude?: RE2JS;
  private readonly regexExclude?: RE2JS;

  constructor(readonly filter: DomainFilter) {
    const hasList = (filter.include?.length ?? 0) > 0 || (filter.exclude?.length ?? 0) > 0;
    const hasRegex = Boolean(filter.regexInclude) || Boolean(filter.regexExclude);
    if (hasList && hasRegex) {
      throw new DomainFilterError('a domain filter takes either domain lists or regular expressions, not both');
    }
    this.include = normalizeFilterList(filter.include);
    this.exclude = normalizeFilterList(filter.exclude);
    if (filter.regexInclude) this.regexInclude = compile(filter.regexInclude, 'include');
    if (filter.regexExclude) this.regexExclude = compile(filter.regexExclude, 'exclude');
  }

  /** True when the filter constrains nothing. */
  get isEmpty(): boolean {
    return this.include.length === 0 && this.exclude.length === 0 && !this.regexInclude && !this.regexExclude;
  }

  matches(dnsName: string): boolean {
    const name = toULabels(normalizeDnsName(dnsName));
    if (this.regexInclude || this.regexExclude) {
      if (this.regexInclude && !this.regexInclude.test(name)) return false;
      return !(this.regexExclude && this.regexExclude.test(name));
    }
    if (this.include.length > 0 && !this.include.some((f) => matchesEntry(name, f))) return false;
    return !this.exclude.some((f) => matchesEntry(name, f));
  }
}

function normalizeFilterList(list: string[] | undefined): string[] {
  return (list ?? [])
    .map((entry) => toULabels(toALabels(entry.trim().toLowerCase().replace(/\.$/, ''))))
    .filter((entry) => entry !== '' && entry !== '.');
}

function matchesEntry(name: string, entry: string): boolean {
  if (entry.startsWith('.')) return name.endsWith(entry);
  return name === entry || name.endsWith(`.${entry}`);
}

function compile(source: string, which: string): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch (error) {
    throw new DomainFilterError(
      `the regex ${which} filter ${JSON.stringify(source)} is not valid RE2 (Go regexp) syntax, ` +
        `which ExternalDNS compiles it with: ${(error as Error).message}`,
    );
  }
}
