import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import {
  isAlreadyNormal,
  isNormalWithOneCanonicalTarget,
  normalizeEndpoint,
  normalizeTargets,
  normalizeTtl,
} from './endpoint.normalizer.js';
import { isCanonicalTarget, toTarget } from './record-content.mapper.js';
import { reportedKey, rrsetToEndpoint } from './rrset.mapper.js';

describe('normalizeEndpoint (AdjustEndpoints)', () => {
  it('gives the form Records reports: name, targets sorted and unique, default TTL, no provider-specific', () => {
    const result = normalizeEndpoint(
      {
        dnsName: 'WWW.Example.com.',
        recordType: 'a',
        targets: ['192.0.2.2', '192.0.2.10', '192.0.2.2'],
        labels: { owner: 'default' },
        providerSpecific: [{ name: 'webhook/x', value: 'y' }],
      },
      300,
    );
    expect(result).toEqual({
      ok: true,
      droppedTargets: [],
      endpoint: {
        dnsName: 'www.example.com',
        recordType: 'A',
        targets: ['192.0.2.10', '192.0.2.2'],
        recordTTL: 300,
        labels: { owner: 'default' },
      },
    });
  });

  it('drops a bad target but keeps the endpoint when others remain', () => {
    const result = normalizeEndpoint(
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1', 'nope'] },
      300,
    );
    expect(result.ok).toBe(true);
    expect(result.droppedTargets).toEqual([{ target: 'nope', problem: '"nope" is not an IPv4 address' }]);
  });

  it.each([
    [{ dnsName: 'bad name', recordType: 'A', targets: ['192.0.2.1'] }, 'invalid_name'],
    [{ dnsName: 'a.example.com', recordType: 'HINFO', targets: ['x'] }, 'unsupported_type'],
    [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'eu' }, 'set_identifier'],
    [{ dnsName: 'a.example.com', recordType: 'A', targets: ['x'] }, 'invalid_target'],
    [{ dnsName: 'a.example.com', recordType: 'A', targets: [] }, 'no_targets'],
    [{ dnsName: 'a.example.com', recordType: 'CNAME', targets: ['a.example.net', 'b.example.net'] }, 'cname_targets'],
  ])('drops %o as %s', (endpoint, reason) => {
    const result = normalizeEndpoint(endpoint, 300);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(reason);
  });

  it('caps a TTL at what PowerDNS stores and keeps a set one', () => {
    const big = normalizeEndpoint(
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 2 ** 40 },
      300,
    );
    expect(big.ok && big.endpoint.recordTTL).toBe(2147483647);
    const set = normalizeEndpoint(
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60 },
      300,
    );
    expect(set.ok && set.endpoint.recordTTL).toBe(60);
  });
});

describe('isAlreadyNormal (normalizeEndpoint keeps such an endpoint instead of copying it)', () => {
  const normal = { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 };

  it('keeps an endpoint already in the form Records reports, labels and all', () => {
    expect(isAlreadyNormal(normal, 'www.example.com', ['192.0.2.1'], 'A', 300)).toBe(true);
    const labelled = { ...normal, labels: { owner: 'default' } };
    const result = normalizeEndpoint(labelled, 60);
    expect(result.ok && result.endpoint).toBe(labelled);
    expect(normalizeEndpoint(normal, 60)).toEqual({ ok: true, endpoint: normal, droppedTargets: [] });
  });

  it('copies one that differs in any part, or carries what the normal form leaves out', () => {
    expect(isAlreadyNormal(normal, 'www.example.com', ['192.0.2.1'], 'A', 60)).toBe(false);
    expect(isAlreadyNormal(normal, 'www.example.org', ['192.0.2.1'], 'A', 300)).toBe(false);
    expect(isAlreadyNormal(normal, 'www.example.com', ['192.0.2.1', '192.0.2.2'], 'A', 300)).toBe(false);
    expect(isAlreadyNormal(normal, 'www.example.com', ['192.0.2.2'], 'A', 300)).toBe(false);
    const cases = [
      { ...normal, dnsName: 'WWW.example.com' },
      { ...normal, recordType: 'a' },
      { ...normal, recordTTL: undefined },
      { ...normal, targets: ['192.0.2.1', '192.0.2.1'] },
      { ...normal, labels: {} },
      { ...normal, providerSpecific: [{ name: 'webhook/x', value: 'y' }] },
      { ...normal, setIdentifier: '' },
    ];
    for (const endpoint of cases) {
      const result = normalizeEndpoint(endpoint, 300);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.endpoint).not.toBe(endpoint);
      expect(result.endpoint).toEqual(normal);
    }
  });
});

describe('rrsetToEndpoint (Records)', () => {
  it('reports an rrset as AdjustEndpoints would write it', () => {
    const endpoint = rrsetToEndpoint(
      {
        name: 'Mail.Example.com.',
        type: 'MX',
        ttl: 600,
        records: [
          { content: '20 MX2.example.com.', disabled: false },
          { content: '10 mx1.example.com.', disabled: false },
          { content: '30 off.example.com.', disabled: true },
        ],
      },
      'example.com',
    );
    expect(endpoint).toEqual({
      dnsName: 'mail.example.com',
      recordType: 'MX',
      targets: ['10 mx1.example.com', '20 mx2.example.com'],
      recordTTL: 600,
    });
  });

  it('reports an apex ALIAS as CNAME and ignores other ALIAS, SOA and fully disabled rrsets', () => {
    expect(
      rrsetToEndpoint(
        { name: 'example.com.', type: 'ALIAS', ttl: 300, records: [{ content: 'lb.example.net.' }] },
        'example.com',
      ),
    ).toEqual({
      dnsName: 'example.com',
      recordType: 'CNAME',
      targets: ['lb.example.net'],
      recordTTL: 300,
    });
    expect(
      rrsetToEndpoint(
        { name: 'x.example.com.', type: 'ALIAS', ttl: 300, records: [{ content: 'lb.example.net.' }] },
        'example.com',
      ),
    ).toBeUndefined();
    expect(
      rrsetToEndpoint(
        { name: 'example.com.', type: 'SOA', ttl: 300, records: [{ content: 'a. b. 1 2 3 4 5' }] },
        'example.com',
      ),
    ).toBeUndefined();
    expect(
      rrsetToEndpoint(
        { name: 'y.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1', disabled: true }] },
        'example.com',
      ),
    ).toBeUndefined();
  });
});

describe('reportedKey (what ApplyChanges checks a batch against)', () => {
  it('names exactly the rrsets Records reports, as Records reports them', () => {
    const rrsets = [
      { name: 'Example.com.', type: 'ALIAS', ttl: 300, records: [{ content: 'lb.example.net.' }] },
      { name: 'x.example.com.', type: 'ALIAS', ttl: 300, records: [{ content: 'lb.example.net.' }] },
      { name: 'example.com.', type: 'SOA', ttl: 300, records: [{ content: 'a. b. 1 2 3 4 5' }] },
      { name: 'y.example.com.', type: 'A', ttl: 300, records: [{ content: '192.0.2.1', disabled: true }] },
      {
        name: 'z.example.com.',
        type: 'txt',
        ttl: 300,
        records: [{ content: '"a"' }, { content: '"b"', disabled: true }],
      },
      { name: 'e.example.com.', type: 'A', ttl: 300, records: [] },
    ];
    expect(rrsets.map((rrset) => reportedKey(rrset, 'example.com'))).toEqual([
      'example.com|CNAME',
      undefined,
      undefined,
      undefined,
      'z.example.com|TXT',
      undefined,
    ]);
    for (const rrset of rrsets) {
      const endpoint = rrsetToEndpoint(rrset, 'example.com');
      expect(reportedKey(rrset, 'example.com')).toBe(endpoint && `${endpoint.dnsName}|${endpoint.recordType}`);
    }
  });
});

describe('the already-normal fast path', () => {
  const target = fc.oneof(
    fc.constantFrom(
      '192.0.2.1',
      ' 192.0.2.1',
      '192.0.2.1 ',
      '010.0.0.1',
      '1.2.3',
      '"txt"',
      '"a \\"b"',
      '"x" "y"',
      'bare',
    ),
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.')),
    fc.string({ maxLength: 12 }).map((text) => `"${text}"`),
    fc.string({ maxLength: 12 }),
  );
  const type = fc.constantFrom('A', 'TXT', 'AAAA', 'CNAME', 'MX');

  it('isCanonicalTarget holds only where toTarget gives the target itself back', () => {
    fc.assert(
      fc.property(type, target, (recordType, text) => {
        if (isCanonicalTarget(recordType, text)) expect(toTarget(recordType, text)).toEqual({ ok: true, target: text });
      }),
      { numRuns: 2000 },
    );
    expect(isCanonicalTarget('A', '192.0.2.1')).toBe(true);
    expect(isCanonicalTarget('TXT', '"heritage=external-dns,external-dns/owner=default"')).toBe(true);
  });

  it('gives the endpoint itself exactly where the full normalisation would', () => {
    const endpoint = fc.record(
      {
        dnsName: fc.constantFrom('www.example.com', 'WWW.example.com', 'www.example.com.'),
        recordType: type,
        targets: fc.array(target, { minLength: 0, maxLength: 2 }),
        recordTTL: fc.constantFrom(undefined, 300, 0, 60.5),
        labels: fc.constantFrom(undefined, {}, { owner: 'default' }),
      },
      { requiredKeys: ['dnsName', 'recordType', 'targets'] },
    ) as fc.Arbitrary<Endpoint>;
    fc.assert(
      fc.property(endpoint, (e) => {
        const name = 'www.example.com';
        const ttl = normalizeTtl(e.recordTTL, 300);
        const full = normalizeTargets(e.recordType, e.targets);
        const fullSaysSame = full.ok && isAlreadyNormal(e, name, full.targets, e.recordType, ttl);
        if (isNormalWithOneCanonicalTarget(e, name, e.recordType, ttl)) expect(fullSaysSame).toBe(true);
        const result = normalizeEndpoint(e, 300);
        if (fullSaysSame && e.dnsName === name) expect(result.ok && result.endpoint).toBe(e);
      }),
      { numRuns: 2000 },
    );
  });
});
