import { normalizeEndpoint, EndpointRejectedError } from './endpoint-normalizer.js';

const zones = ['example.com', 'sub.example.com'];
const options = { zones, defaultTtl: 300 };

describe('normalizeEndpoint', () => {
  it('lower-cases, strips the dot, sorts and deduplicates, defaults the TTL, drops providerSpecific', () => {
    const { endpoint, zone } = normalizeEndpoint(
      {
        dnsName: 'WWW.Sub.Example.com.',
        recordType: 'a',
        targets: ['192.0.2.2', '192.0.2.1', '192.0.2.2'],
        recordTTL: 0,
        providerSpecific: [{ name: 'webhook/x', value: '1' }],
      },
      options,
    );
    expect(zone).toBe('sub.example.com');
    expect(endpoint).toEqual({
      dnsName: 'www.sub.example.com',
      recordType: 'A',
      targets: ['192.0.2.1', '192.0.2.2'],
      recordTTL: 300,
    });
  });

  it('caps the TTL at 2^31-1 and truncates fractions', () => {
    expect(
      normalizeEndpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 1e12 }, options)
        .endpoint.recordTTL,
    ).toBe(2147483647);
    expect(
      normalizeEndpoint({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60.7 }, options)
        .endpoint.recordTTL,
    ).toBe(60);
  });

  it.each([
    [{ dnsName: 'a.example.com', recordType: 'HINFO', targets: ['x'] }, 'type'],
    [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'x' }, 'set_identifier'],
    [{ dnsName: 'a b.example.com', recordType: 'A', targets: ['192.0.2.1'] }, 'name'],
    [{ dnsName: 'a.*.example.com', recordType: 'A', targets: ['192.0.2.1'] }, 'name'],
    [{ dnsName: 'notexample.com', recordType: 'A', targets: ['192.0.2.1'] }, 'no_zone'],
    [{ dnsName: 'sub.example.com', recordType: 'NS', targets: ['ns.example.net'] }, 'apex'],
    [{ dnsName: 'a.example.com', recordType: 'DNAME', targets: ['x.example.net', 'y.example.net'] }, 'target'],
    [{ dnsName: 'a.example.com', recordType: 'A', targets: [] }, 'no_targets'],
  ])('rejects %j (%s)', (input, reason) => {
    try {
      normalizeEndpoint(input, options);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(EndpointRejectedError);
      expect((error as EndpointRejectedError).reason).toBe(reason);
    }
  });

  it('checks only the identity of a record being deleted', () => {
    const { endpoint } = normalizeEndpoint(
      { dnsName: 'A.example.com', recordType: 'A', targets: ['not an address'] },
      { ...options, identityOnly: true },
    );
    expect(endpoint.dnsName).toBe('a.example.com');
  });
});
