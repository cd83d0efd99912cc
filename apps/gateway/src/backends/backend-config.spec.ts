import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@dnsgate/plugin-sdk';
import { ZoneRouter, backendSpecs } from './backend-config.js';

const defaults = { plugin: 'file', dryRun: false, recordsCache: { mode: 'auto' as const, maxAgeMs: 600_000 } };

function problems(env: NodeJS.ProcessEnv): string {
  try {
    backendSpecs(env, defaults);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return 'no error';
}

describe('backendSpecs', () => {
  it('is one instance named after DNSGATE_PLUGIN, options under DNSGATE_<PLUGIN>_, without DNSGATE_BACKENDS', () => {
    const [spec, ...rest] = backendSpecs({}, { ...defaults, plugin: 'powerdns', dryRun: true });
    expect(rest).toEqual([]);
    expect({ name: spec!.name, plugin: spec!.pluginSpec, zones: spec!.zones, dryRun: spec!.dryRun }).toEqual({
      name: 'powerdns',
      plugin: 'powerdns',
      zones: undefined,
      dryRun: true,
    });
    expect(spec!.optionPrefix('powerdns')).toBe('DNSGATE_POWERDNS_');
  });

  it('reads named instances, their plugin, zones, dry-run and option prefix', () => {
    const specs = backendSpecs(
      {
        DNSGATE_BACKENDS: 'public, corp-lan,home_lab',
        DNSGATE_BACKEND_PUBLIC_PLUGIN: 'powerdns',
        DNSGATE_BACKEND_PUBLIC_ZONES: 'Example.org., dev.example.org',
        DNSGATE_BACKEND_CORP_LAN_PLUGIN: 'rfc2136',
        DNSGATE_BACKEND_CORP_LAN_ZONES: 'corp.lan',
        DNSGATE_BACKEND_CORP_LAN_DRY_RUN: 'true',
        DNSGATE_BACKEND_HOME_LAB_PLUGIN: 'file',
        DNSGATE_BACKEND_HOME_LAB_ZONES: 'home.arpa',
      },
      defaults,
    );
    expect(specs.map((s) => [s.name, s.pluginSpec, s.zones, s.dryRun])).toEqual([
      ['public', 'powerdns', ['example.org', 'dev.example.org'], false],
      ['corp-lan', 'rfc2136', ['corp.lan'], true],
      ['home_lab', 'file', ['home.arpa'], false],
    ]);
    expect(specs[0]!.optionPrefix('powerdns')).toBe('DNSGATE_BACKEND_PUBLIC_POWERDNS_');
    expect(specs[1]!.optionPrefix('rfc2136')).toBe('DNSGATE_BACKEND_CORP_LAN_RFC2136_');
  });

  it('refuses, naming the variable: an instance without PLUGIN or ZONES, a bad name, a variable of no instance', () => {
    const text = problems({
      DNSGATE_BACKENDS: 'a,b,Bad!',
      DNSGATE_BACKEND_A_PLUGIN: 'file',
      DNSGATE_BACKEND_A_ZONES: 'a.test',
      DNSGATE_BACKEND_B_ZONES: 'b.test',
      DNSGATE_BACKEND_C_PLUGIN: 'file',
      DNSGATE_BACKEND_A_DRY_RUN: 'maybe',
    });
    expect(text).toMatch(/DNSGATE_BACKEND_B_PLUGIN: is required/);
    expect(text).toMatch(/DNSGATE_BACKENDS: "Bad!" is not an instance name/);
    expect(text).toMatch(/DNSGATE_BACKEND_C_PLUGIN: no instance of DNSGATE_BACKENDS/);
    expect(text).toMatch(/DNSGATE_BACKEND_A_DRY_RUN: must be true or false/);
    expect(
      problems({ DNSGATE_BACKENDS: 'a,b', DNSGATE_BACKEND_A_PLUGIN: 'file', DNSGATE_BACKEND_B_PLUGIN: 'file' }),
    ).toMatch(/DNSGATE_BACKEND_A_ZONES: is required when DNSGATE_BACKENDS lists several instances/);
  });

  it('refuses a zone owned by two instances, two names read from one variable, and DNSGATE_PLUGIN beside DNSGATE_BACKENDS', () => {
    const text = problems({
      DNSGATE_PLUGIN: 'file',
      DNSGATE_BACKENDS: 'x-y,x_y,z',
      DNSGATE_BACKEND_X_Y_PLUGIN: 'file',
      DNSGATE_BACKEND_X_Y_ZONES: 'example.org',
      DNSGATE_BACKEND_Z_PLUGIN: 'file',
      DNSGATE_BACKEND_Z_ZONES: 'example.org.',
    });
    expect(text).toMatch(/DNSGATE_PLUGIN: set DNSGATE_PLUGIN or DNSGATE_BACKENDS, not both/);
    expect(text).toMatch(/DNSGATE_BACKENDS: x-y and x_y are both read from DNSGATE_BACKEND_X_Y_\*/);
    expect(text).toMatch(/DNSGATE_BACKEND_Z_ZONES: zone example\.org is already owned by backend "x-y"/);
  });

  it('refuses an instance variable when no instance is configured', () => {
    expect(problems({ DNSGATE_BACKEND_PUBLIC_PLUGIN: 'powerdns' })).toMatch(
      /DNSGATE_BACKEND_PUBLIC_PLUGIN: set for a backend instance, but DNSGATE_BACKENDS lists none/,
    );
  });
});

describe('ZoneRouter', () => {
  it('routes a name to the instance owning the longest zone, on a label boundary', () => {
    const router = new ZoneRouter([
      ['public', ['example.org']],
      ['dev', ['dev.example.org']],
    ]);
    expect(router.ownerOf('a.dev.example.org')).toBe('dev');
    expect(router.ownerOf('dev.example.org')).toBe('dev');
    expect(router.ownerOf('www.example.org')).toBe('public');
    expect(router.ownerOf('adev.example.org')).toBe('public');
    expect(router.ownerOf('myexample.org')).toBeUndefined();
  });
});
