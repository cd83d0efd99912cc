import 'reflect-metadata';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PLUGIN_API_VERSION } from '@dnsgate/plugin-sdk';
import { PluginPackageNotFoundError, loadPluginPackage } from './plugin-loader.js';

/**
 * Fixtures are written as plain JavaScript packages that set the plugin
 * metadata themselves (a string key, as the SDK's decorator does), so they
 * load without the SDK being resolvable from the temp directory.
 */
function pluginSource(name: string, apiVersion: number, style: 'esm' | 'cjs', exportName = 'dnsgatePlugin'): string {
  const body = `
class Factory { create() { return {}; } }
Reflect.defineMetadata('dnsgate:plugin', { name: '${name}', description: 'fixture', apiVersion: ${apiVersion} }, Factory);
class FixtureModule {}
const dnsgatePlugin = { module: FixtureModule, providers: [Factory], exports: [Factory] };
`;
  if (style === 'cjs') return `${body}\nmodule.exports = { ${exportName}: dnsgatePlugin };\n`;
  return exportName === 'default'
    ? `${body}\nexport default dnsgatePlugin;\n`
    : `${body}\nexport { dnsgatePlugin as ${exportName} };\n`;
}

function writePackage(root: string, name: string, manifest: object, files: Record<string, string>): string {
  const directory = join(root, 'node_modules', name);
  mkdirSync(join(directory, 'dist'), { recursive: true });
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
  return directory;
}

describe('loadPluginPackage', () => {
  const root = mkdtempSync(join(tmpdir(), 'dnsgate-loader-'));

  beforeAll(() => {
    writePackage(
      root,
      'dnsgate-plugin-esm',
      { type: 'module', exports: { '.': { import: './dist/index.js' } } },
      {
        'dist/index.js': pluginSource('esm-fixture', PLUGIN_API_VERSION, 'esm'),
      },
    );
    writePackage(
      root,
      '@acme/dnsgate-plugin-cjs',
      { main: 'dist/index.cjs' },
      {
        'dist/index.cjs': pluginSource('cjs-fixture', PLUGIN_API_VERSION, 'cjs'),
      },
    );
    writePackage(
      root,
      'dnsgate-plugin-default',
      { type: 'module', exports: './dist/index.js' },
      {
        'dist/index.js': pluginSource('default-fixture', PLUGIN_API_VERSION, 'esm', 'default'),
      },
    );
    writePackage(
      root,
      'dnsgate-plugin-future',
      { type: 'module', main: 'dist/index.js' },
      {
        'dist/index.js': pluginSource('future', PLUGIN_API_VERSION + 1, 'esm'),
      },
    );
    writePackage(
      root,
      'dnsgate-plugin-legacy',
      { type: 'module', main: 'dist/index.js' },
      {
        'dist/index.js': pluginSource('legacy', 1, 'esm'),
      },
    );
    writePackage(
      root,
      'dnsgate-plugin-shapeless',
      { type: 'module', main: 'dist/index.js' },
      {
        'dist/index.js': 'export const something = 42;\n',
      },
    );
    writePackage(root, 'dnsgate-plugin-unbuilt', { type: 'module', main: 'dist/missing.js' }, {});
  });

  it('loads an ES module package by its short name', async () => {
    const loaded = await loadPluginPackage('esm', root);
    expect(loaded.metadata.name).toBe('esm-fixture');
    expect(loaded.source).toContain('dnsgate-plugin-esm');
  });

  it('loads a CommonJS package by its scoped name', async () => {
    expect((await loadPluginPackage('@acme/dnsgate-plugin-cjs', root)).metadata.name).toBe('cjs-fixture');
  });

  it('takes a default export', async () => {
    expect((await loadPluginPackage('dnsgate-plugin-default', root)).metadata.name).toBe('default-fixture');
  });

  it('loads from a path relative to the working directory', async () => {
    expect((await loadPluginPackage('./node_modules/dnsgate-plugin-esm', root)).metadata.name).toBe('esm-fixture');
  });

  it('says so when no package is installed', async () => {
    await expect(loadPluginPackage('nothing-here', root)).rejects.toThrow(PluginPackageNotFoundError);
    await expect(loadPluginPackage('nothing-here', root)).rejects.toThrow(/dnsgate-plugin-nothing-here/);
  });

  it('refuses a package built for another plugin API version, naming it', async () => {
    await expect(loadPluginPackage('future', root)).rejects.toThrow(
      new RegExp(`dnsgate-plugin-future was built for dnsgate plugin API ${PLUGIN_API_VERSION + 1}`),
    );
  });

  it('refuses a package built for plugin API 1, saying what API 2 changed', async () => {
    const error = (await loadPluginPackage('legacy', root).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/dnsgate-plugin-legacy was built for dnsgate plugin API 1, this dnsgate speaks 2/);
    expect(error.message).toMatch(/checkRecord\(\).*readZoneState\(\).*writeGroup\(\)/);
  });

  it('refuses a package that exports no plugin', async () => {
    await expect(loadPluginPackage('shapeless', root)).rejects.toThrow(/does not export a dnsgate plugin/);
  });

  it('refuses a package whose entry file is missing', async () => {
    const error = await loadPluginPackage('unbuilt', root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/does not exist \(was it built\?\)/);
  });
});
