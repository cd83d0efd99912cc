import { adjustEndpoints, effectiveTtl, type NormalizerSettings } from './endpoint-normalizer.js';

const settings: NormalizerSettings = { zones: ['example.com', 'myexample.com'], minTtl: 60, defaultTtl: 300 };

describe('AdjustEndpoints for rfc2136', () => {
  it('writes the default TTL for none, raises low TTLs to the minimum, and never TTL 0 unless configured', () => {
    expect(effectiveTtl(undefined, settings)).toBe(300);
    expect(effectiveTtl(0, settings)).toBe(300);
    expect(effectiveTtl(10, settings)).toBe(60);
    expect(effectiveTtl(4_000_000_000, settings)).toBe(2147483647);
    expect(effectiveTtl(undefined, { ...settings, minTtl: 0, defaultTtl: 0 })).toBe(0);
  });

  it('normalises names, targets and TTL, strips provider-specific properties, keeps labels', () => {
    const { endpoints, drops } = adjustEndpoints(
      [
        {
          dnsName: 'WWW.Example.com.',
          recordType: 'a',
          targets: ['192.0.2.2', '192.0.2.1', '192.0.2.2'],
          labels: { owner: 'x' },
          providerSpecific: [{ name: 'webhook/x', value: '1' }],
        },
      ],
      settings,
    );
    expect(drops).toEqual([]);
    expect(endpoints).toEqual([
      {
        dnsName: 'www.example.com',
        recordType: 'A',
        targets: ['192.0.2.1', '192.0.2.2'],
        recordTTL: 300,
        labels: { owner: 'x' },
      },
    ]);
  });

  it('merges endpoints with the same key, as Records merges RRs', () => {
    const { endpoints } = adjustEndpoints(
      [
        { dnsName: 'a.example.com', recordType: 'TXT', targets: ['one'] },
        { dnsName: 'A.example.com.', recordType: 'TXT', targets: ['"two"'] },
      ],
      settings,
    );
    expect(endpoints).toEqual([
      { dnsName: 'a.example.com', recordType: 'TXT', targets: ['"one"', '"two"'], recordTTL: 300 },
    ]);
  });

  it.each([
    [{ dnsName: 'x.example.com', recordType: 'HINFO', targets: ['a b'] }, 'unsupported-type'],
    [{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'eu' }, 'set-identifier'],
    [{ dnsName: 'x.other.org', recordType: 'A', targets: ['192.0.2.1'] }, 'outside-zones'],
    [{ dnsName: 'x.notexample.com', recordType: 'A', targets: ['192.0.2.1'] }, 'outside-zones'],
    [{ dnsName: 'example.com', recordType: 'NS', targets: ['ns.example.net'] }, 'apex-ns'],
    [{ dnsName: 'myexample.com', recordType: 'CNAME', targets: ['x.example.net'] }, 'apex-cname'],
    [{ dnsName: 'x.example.com', recordType: 'A', targets: ['not-an-ip'] }, 'invalid-target'],
    [{ dnsName: 'x.example.com', recordType: 'A', targets: [] }, 'no-targets'],
    [
      { dnsName: 'x.example.com', recordType: 'CNAME', targets: ['a.example.net', 'b.example.net'] },
      'cname-multiple-targets',
    ],
    [{ dnsName: `${'x'.repeat(64)}.example.com`, recordType: 'A', targets: ['192.0.2.1'] }, 'invalid-name'],
  ])('drops %j (%s)', (endpoint, reason) => {
    const { endpoints, drops } = adjustEndpoints([endpoint], settings);
    expect(endpoints).toEqual([]);
    expect(drops.map((d) => d.reason)).toEqual([reason]);
  });

  it('drops only the bad targets of an endpoint that has good ones', () => {
    const { endpoints, drops } = adjustEndpoints(
      [{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1', 'nope'] }],
      settings,
    );
    expect(endpoints[0]?.targets).toEqual(['192.0.2.1']);
    expect(drops.map((d) => d.reason)).toEqual(['invalid-target']);
  });

  it('drops a CNAME that shares its name with other records', () => {
    const { endpoints, drops } = adjustEndpoints(
      [
        { dnsName: 'x.example.com', recordType: 'CNAME', targets: ['y.example.net'] },
        { dnsName: 'x.example.com', recordType: 'TXT', targets: ['owner'] },
      ],
      settings,
    );
    expect(endpoints.map((e) => e.recordType)).toEqual(['TXT']);
    expect(drops.map((d) => d.reason)).toEqual(['cname-conflict']);
  });
});
