import { BatchPipeline, loadPluginOptions, type Endpoint } from '@dnsgate/plugin-sdk';
import { createTestPluginContext } from '@dnsgate/plugin-sdk/testkit';
import { Rfc2136Options } from '../rfc2136.options.js';
import { Rfc2136Plugin } from '../rfc2136.plugin.js';
import { effectiveTtl, normalizeEndpoint, type NormalizerSettings } from './endpoint-normalizer.js';

const settings: NormalizerSettings = { zones: ['example.com', 'myexample.com'], minTtl: 60, defaultTtl: 300 };

/** The plugin's checkRecord behind the SDK's AdjustEndpoints, as the gateway runs it. */
function adjust(endpoints: Endpoint[]) {
  const { options } = loadPluginOptions(Rfc2136Options, 'DNSGATE_RFC2136_', {
    DNSGATE_RFC2136_HOSTS: '127.0.0.1:5353',
    DNSGATE_RFC2136_ZONES: settings.zones.join(','),
    DNSGATE_RFC2136_INSECURE: 'true',
    DNSGATE_RFC2136_MIN_TTL: String(settings.minTtl),
    DNSGATE_RFC2136_DEFAULT_TTL: String(settings.defaultTtl),
  });
  const plugin = new Rfc2136Plugin(options, createTestPluginContext('rfc2136'));
  return new BatchPipeline(plugin).adjust(endpoints, settings.zones);
}

describe('endpoint normalisation for rfc2136', () => {
  it('writes the default TTL for none, raises low TTLs to the minimum, and never TTL 0 unless configured', () => {
    expect(effectiveTtl(undefined, settings)).toBe(300);
    expect(effectiveTtl(0, settings)).toBe(300);
    expect(effectiveTtl(10, settings)).toBe(60);
    expect(effectiveTtl(4_000_000_000, settings)).toBe(2147483647);
    expect(effectiveTtl(undefined, { ...settings, minTtl: 0, defaultTtl: 0 })).toBe(0);
  });

  it('normalises names, targets and TTL, strips provider-specific properties, keeps labels', () => {
    const result = normalizeEndpoint(
      {
        dnsName: 'WWW.Example.com.',
        recordType: 'a',
        targets: ['192.0.2.2', '192.0.2.1', '192.0.2.2'],
        labels: { owner: 'x' },
        providerSpecific: [{ name: 'webhook/x', value: '1' }],
      },
      settings,
    );
    expect(result).toEqual({
      ok: true,
      zone: 'example.com',
      droppedTargets: [],
      endpoint: {
        dnsName: 'www.example.com',
        recordType: 'A',
        targets: ['192.0.2.1', '192.0.2.2'],
        recordTTL: 300,
        labels: { owner: 'x' },
      },
    });
  });

  it('finds the zone on a label boundary, the longest first', () => {
    const nested = { ...settings, zones: ['example.com', 'sub.example.com'] };
    const inSub = normalizeEndpoint({ dnsName: 'a.sub.example.com', recordType: 'A', targets: ['192.0.2.1'] }, nested);
    expect(inSub.ok && inSub.zone).toBe('sub.example.com');
    const notSub = normalizeEndpoint(
      { dnsName: 'a.xsub.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      nested,
    );
    expect(notSub.ok && notSub.zone).toBe('example.com');
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
    const result = normalizeEndpoint(endpoint, settings);
    expect(result.ok ? 'kept' : result.drop.reason).toBe(reason);
  });

  it('drops only the bad targets of an endpoint that has good ones', () => {
    const result = normalizeEndpoint(
      { dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1', 'nope'] },
      settings,
    );
    expect(result.ok && result.endpoint.targets).toEqual(['192.0.2.1']);
    expect(result.ok && result.droppedTargets.map((d) => [d.reason, d.target])).toEqual([['invalid-target', 'nope']]);
  });
});

describe('AdjustEndpoints for rfc2136 (the SDK pipeline over checkRecord)', () => {
  it('answers each endpoint in the form Records reports it', () => {
    const { endpoints, dropped, droppedTargets } = adjust([
      {
        dnsName: 'WWW.Example.com.',
        recordType: 'a',
        targets: ['192.0.2.2', '192.0.2.1', 'nope'],
        labels: { owner: 'x' },
        providerSpecific: [{ name: 'webhook/x', value: '1' }],
      },
    ]);
    expect(dropped).toEqual([]);
    expect(droppedTargets.map((d) => d.target)).toEqual(['nope']);
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

  it('drops, with the plugin reason, what the server could not hold', () => {
    const { endpoints, dropped } = adjust([
      { dnsName: 'x.example.com', recordType: 'HINFO', targets: ['a b'] },
      { dnsName: 'example.com', recordType: 'NS', targets: ['ns.example.net'] },
      { dnsName: 'x.other.org', recordType: 'A', targets: ['192.0.2.1'] },
      // check-names: an A record's owner must be a host name.
      { dnsName: 'under_score.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      // Larger than one UPDATE message.
      {
        dnsName: 'big.example.com',
        recordType: 'TXT',
        targets: Array.from({ length: 300 }, (_, i) => `${i}${'y'.repeat(240)}`),
      },
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    expect(endpoints.map((e) => e.dnsName)).toEqual(['ok.example.com']);
    expect(dropped.map((d) => [d.endpoint.dnsName, d.reason])).toEqual([
      ['x.example.com', 'unsupported-type'],
      ['example.com', 'apex-ns'],
      ['x.other.org', 'no_zone'],
      ['under_score.example.com', 'loader_rule'],
      ['big.example.com', 'too_large'],
    ]);
  });

  it('keeps the first of two endpoints for one record set (the second would be a duplicate), and drops a CNAME beside other data', () => {
    const { endpoints, dropped } = adjust([
      { dnsName: 'a.example.com', recordType: 'TXT', targets: ['one'] },
      { dnsName: 'A.example.com.', recordType: 'TXT', targets: ['"two"'] },
      { dnsName: 'x.example.com', recordType: 'CNAME', targets: ['y.example.net'] },
      { dnsName: 'x.example.com', recordType: 'TXT', targets: ['owner'] },
    ]);
    expect(endpoints).toEqual([
      { dnsName: 'a.example.com', recordType: 'TXT', targets: ['"one"'], recordTTL: 300 },
      { dnsName: 'x.example.com', recordType: 'TXT', targets: ['"owner"'], recordTTL: 300 },
    ]);
    expect(dropped.map((d) => [d.endpoint.dnsName, d.reason])).toEqual([
      ['A.example.com.', 'duplicate'],
      ['x.example.com', 'cname_conflict'],
    ]);
  });
});
