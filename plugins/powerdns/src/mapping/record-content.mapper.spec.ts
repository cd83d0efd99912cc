import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { txtTargetValue } from '@dnsgate/plugin-sdk';
import { canonicalHost, splitFields, toContent, toTarget, txtContent } from './record-content.mapper.js';

/** canonicalHost as it was first written, label by label: the one-regex version must agree with it. */
function canonicalHostByLabels(text: string, options: { wildcard?: boolean; root?: boolean } = {}): string | undefined {
  const name = text.trim().toLowerCase();
  if (name === '.') return options.root ? '.' : undefined;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '' || bare.length > 253) return undefined;
  const labels = bare.split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (/^[a-z0-9_-]{1,63}$/.test(label)) continue;
    if (label === '*' && i === 0 && options.wildcard) continue;
    return undefined;
  }
  return bare;
}

const ok = (type: string, raw: string) => {
  const result = toTarget(type, raw);
  if (!result.ok) throw new Error(result.problem);
  return result.target;
};

describe('record content mapping', () => {
  it('canonicalises host names: lower case, no trailing dot, labels checked', () => {
    expect(canonicalHost('WWW.Example.COM.')).toBe('www.example.com');
    expect(canonicalHost('_sip._tcp.example.com')).toBe('_sip._tcp.example.com');
    expect(canonicalHost('*.example.com', { wildcard: true })).toBe('*.example.com');
    expect(canonicalHost('*.example.com')).toBeUndefined();
    expect(canonicalHost('a..b')).toBeUndefined();
    expect(canonicalHost('bad name.com')).toBeUndefined();
    expect(canonicalHost(`${'a'.repeat(64)}.com`)).toBeUndefined();
    expect(canonicalHost('.', { root: true })).toBe('.');
    expect(canonicalHost('.')).toBeUndefined();
  });

  it('checks host names in one pass exactly as label by label', () => {
    const piece = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '*', ' ', '!', 'é', 'x'.repeat(62), 'y'.repeat(64));
    const names = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    const options = fc.record({ wildcard: fc.boolean(), root: fc.boolean() });
    fc.assert(
      fc.property(fc.oneof(names, fc.string({ maxLength: 300 })), options, (name, opts) => {
        expect(canonicalHost(name, opts)).toBe(canonicalHostByLabels(name, opts));
      }),
      { numRuns: 3000 },
    );
    for (const name of ['*', '*.a', 'a.*', '*.*.a', `${'a.'.repeat(126)}a`, `${'a.'.repeat(127)}a`, '.a', 'a.']) {
      for (const wildcard of [false, true]) {
        expect(canonicalHost(name, { wildcard })).toBe(canonicalHostByLabels(name, { wildcard }));
      }
    }
  });

  it('writes a simple quoted TXT target as it is, exactly as the full quoting would', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 300,
    });
    fc.assert(
      fc.property(fc.oneof(ascii, fc.string({ unit: 'grapheme', maxLength: 300 })), (value) => {
        const canonical = ok('TXT', value);
        expect(toContent('TXT', canonical)).toBe(txtContent(txtTargetValue(canonical)));
      }),
      { numRuns: 2000 },
    );
    expect(toContent('TXT', `"${'x'.repeat(255)}"`)).toBe(`"${'x'.repeat(255)}"`);
    expect(toContent('TXT', `"${'x'.repeat(256)}"`)).toBe(`"${'x'.repeat(255)}" "x"`);
  });

  it('writes IPv6 the way PowerDNS accepts it (no dotted quad) and compresses like RFC 5952', () => {
    expect(toTarget('AAAA', '2001:DB8:0:0:0::1')).toEqual({ ok: true, target: '2001:db8::1' });
    expect(toTarget('AAAA', '::ffff:1.2.3.4')).toEqual({ ok: true, target: '::ffff:102:304' });
    expect(toTarget('AAAA', '1:0:0:1:0:0:0:1')).toEqual({ ok: true, target: '1:0:0:1::1' });
    expect(toTarget('AAAA', 'fe80::1%eth0').ok).toBe(false);
    expect(toTarget('AAAA', '1.2.3.4').ok).toBe(false);
  });

  it('rejects what PowerDNS cannot hold, saying why', () => {
    expect(toTarget('A', '1.2.3.256')).toEqual({ ok: false, problem: '"1.2.3.256" is not an IPv4 address' });
    expect(toTarget('A', '01.2.3.4').ok).toBe(false);
    expect(toTarget('AAAA', '1.2.3.4').ok).toBe(false);
    expect(toTarget('MX', 'mail.example.com').ok).toBe(false);
    expect(toTarget('MX', '70000 mail.example.com').ok).toBe(false);
    expect(toTarget('SRV', '1 2 mail.example.com').ok).toBe(false);
    expect(toTarget('CNAME', 'not a host').ok).toBe(false);
    expect(toTarget('CAA', '300 issue "x"').ok).toBe(false);
    expect(toTarget('NAPTR', '1 2 "u" "x"').ok).toBe(false);
    expect(toTarget('HINFO', '"a" "b"').ok).toBe(false);
  });

  it('normalises targets of every type to one spelling', () => {
    expect(ok('MX', ' 10   Mail.Example.com. ')).toBe('10 mail.example.com');
    expect(ok('SRV', '10 5 5060 SIP.example.com.')).toBe('10 5 5060 sip.example.com');
    expect(ok('TXT', 'v=spf1 -all')).toBe('"v=spf1 -all"');
    expect(ok('TXT', '"heritage=external-dns,external-dns/owner=default"')).toBe(
      '"heritage=external-dns,external-dns/owner=default"',
    );
    expect(ok('TXT', '"a" "b"')).toBe('"ab"');
    expect(ok('CAA', '0 ISSUE letsencrypt.org')).toBe('0 issue "letsencrypt.org"');
    expect(ok('NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:x@example.com!" Example.COM.')).toBe(
      '100 10 "U" "E2U+sip" "!^.*$!sip:x@example.com!" example.com',
    );
  });

  it('writes names with the trailing dot and TXT quoted in chunks of 255 bytes', () => {
    expect(toContent('CNAME', 'www.example.com')).toBe('www.example.com.');
    expect(toContent('ALIAS', 'lb.example.net')).toBe('lb.example.net.');
    expect(toContent('MX', '10 .')).toBe('10 .');
    expect(toContent('SRV', '0 0 443 www.example.com')).toBe('0 0 443 www.example.com.');
    expect(toContent('A', '192.0.2.1')).toBe('192.0.2.1');
    expect(txtContent('x'.repeat(300))).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(txtContent('line\nbreak "q" \\')).toBe('"line\\010break \\"q\\" \\\\"');
  });

  it('splits presentation fields, keeping quoted strings whole', () => {
    expect(splitFields('1 2 "a b" "" x.')).toEqual(['1', '2', '"a b"', '""', 'x.']);
    expect(splitFields('"open')).toBeUndefined();
  });

  it('reads back exactly what it writes, for any TXT value (the rule that stops reconcile loops)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (value) => {
        const canonical = ok('TXT', value);
        expect(ok('TXT', toContent('TXT', canonical))).toBe(canonical);
        expect(ok('TXT', canonical)).toBe(canonical);
      }),
    );
  });

  it('reads back exactly what it writes, for MX, SRV, CAA and NAPTR', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    const u16 = fc.integer({ min: 0, max: 65535 });
    const text = fc.string({ maxLength: 40 }).filter((s) => [...s].every((c) => c.charCodeAt(0) >= 0x20));
    const targets = fc.oneof(
      fc.tuple(u16, host).map(([p, h]) => ['MX', `${p} ${h}.`] as const),
      fc.tuple(u16, u16, u16, host).map(([a, b, c, h]) => ['SRV', `${a} ${b} ${c} ${h}`] as const),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), text)
        .map(([f, v]) => ['CAA', `${f} issue "${v.replace(/[\\"]/g, '\\$&')}"`] as const),
      fc
        .tuple(u16, u16, text, host)
        .map(([o, p, r, h]) => ['NAPTR', `${o} ${p} "u" "E2U+sip" "${r.replace(/[\\"]/g, '\\$&')}" ${h}.`] as const),
    );
    fc.assert(
      fc.property(targets, ([type, raw]) => {
        const canonical = ok(type, raw);
        expect(ok(type, toContent(type, canonical))).toBe(canonical);
      }),
    );
  });
});
