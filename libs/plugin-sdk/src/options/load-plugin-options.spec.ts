import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsInt, IsNotEmpty, IsString, IsUrl, Min } from 'class-validator';
import { PluginConfigError } from '../errors/dnsgate-errors.js';
import { loadPluginOptions } from './load-plugin-options.js';
import { PluginOption } from './plugin-option.decorator.js';

class ExampleOptions {
  @PluginOption({ description: 'API base URL' })
  @IsUrl({ require_tld: false })
  url = 'http://127.0.0.1:8081';

  @PluginOption({ description: 'API key', secret: true })
  @IsString()
  @IsNotEmpty()
  apiKey = '';

  @PluginOption({ description: 'timeout' })
  @IsInt()
  @Min(1)
  timeoutMs = 5000;

  @PluginOption({ description: 'skip TLS verification' })
  @IsBoolean()
  skipTlsVerify = false;

  @PluginOption({ description: 'zones' })
  @IsString({ each: true })
  zones: string[] = [];
}

describe('loadPluginOptions', () => {
  it('fills options from DNSGATE_<PLUGIN>_<OPTION>, converting by type, keeping defaults', () => {
    const { options, secrets } = loadPluginOptions(ExampleOptions, 'DNSGATE_EXAMPLE_', {
      DNSGATE_EXAMPLE_API_KEY: 'k3y-value',
      DNSGATE_EXAMPLE_TIMEOUT_MS: '2500',
      DNSGATE_EXAMPLE_SKIP_TLS_VERIFY: 'true',
      DNSGATE_EXAMPLE_ZONES: 'a.com, b.com',
    });
    expect(options).toMatchObject({
      url: 'http://127.0.0.1:8081',
      apiKey: 'k3y-value',
      timeoutMs: 2500,
      skipTlsVerify: true,
      zones: ['a.com', 'b.com'],
    });
    expect(secrets).toEqual(['k3y-value']);
  });

  it('reads a secret from <VAR>_FILE', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dnsgate-opt-')), 'key');
    writeFileSync(file, 'from-file-secret\n');
    const { options } = loadPluginOptions(ExampleOptions, 'DNSGATE_EXAMPLE_', { DNSGATE_EXAMPLE_API_KEY_FILE: file });
    expect(options.apiKey).toBe('from-file-secret');
  });

  it('names every bad variable at once, never showing a secret', () => {
    try {
      loadPluginOptions(ExampleOptions, 'DNSGATE_EXAMPLE_', {
        DNSGATE_EXAMPLE_URL: 'not a url',
        DNSGATE_EXAMPLE_TIMEOUT_MS: 'soon',
        DNSGATE_EXAMPLE_SKIP_TLS_VERIFY: 'maybe',
      });
      throw new Error('expected a PluginConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(PluginConfigError);
      const message = (error as Error).message;
      expect(message).toContain('plugin "example"');
      expect(message).toContain('DNSGATE_EXAMPLE_URL');
      expect(message).toContain('DNSGATE_EXAMPLE_TIMEOUT_MS: must be a number');
      expect(message).toContain('DNSGATE_EXAMPLE_SKIP_TLS_VERIFY: must be true or false');
      expect(message).toContain('DNSGATE_EXAMPLE_API_KEY');
    }
  });

  it('refuses a secret set both directly and as a file', () => {
    expect(() =>
      loadPluginOptions(ExampleOptions, 'DNSGATE_EXAMPLE_', {
        DNSGATE_EXAMPLE_API_KEY: 'a-secret',
        DNSGATE_EXAMPLE_API_KEY_FILE: '/x',
      }),
    ).toThrow(/both set/);
  });
});
