import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamicModule } from '@nestjs/common';
import {
  ConfigError,
  PLUGIN_API_CHANGES,
  PLUGIN_API_VERSION,
  getPluginMetadata,
  type DnsgatePluginMetadata,
} from '@dnsgate/plugin-sdk';

export interface LoadedPlugin {
  module: DynamicModule;
  metadata: DnsgatePluginMetadata;
  /** Where it came from, for the boot log: the package name and file. */
  source: string;
}

/** The prefixes a short name is tried with, in order: `foo` → `dnsgate-plugin-foo`, `@dnsgate/plugin-foo`. */
export const SHORT_NAME_PREFIXES = ['dnsgate-plugin-', '@dnsgate/plugin-'] as const;

/**
 * Imports a plugin package named by `DNSGATE_PLUGIN`: a package name, a
 * short name, or a path. The package's main export must provide
 * `dnsgatePlugin` (or a default export): the module `createPluginModule`
 * returns. Packages are looked up from the working directory first (where an
 * operator installs them), then from dnsgate's own installation.
 */
export async function loadPluginPackage(spec: string, cwd: string = process.cwd()): Promise<LoadedPlugin> {
  const entry = locateEntry(spec, cwd);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(entry.file).href)) as Record<string, unknown>;
  } catch (error) {
    fail(`${entry.name} could not be imported from ${entry.file}: ${(error as Error).message}`);
  }
  const module = pickModule(exported);
  if (!module) {
    fail(
      `${entry.name} does not export a dnsgate plugin: expected an export named "dnsgatePlugin" (or a default export) made with createPluginModule() from @dnsgate/plugin-sdk`,
    );
  }
  const metadata = (module.providers ?? [])
    .map(pluginMetadataOfProvider)
    .find((found): found is DnsgatePluginMetadata => found !== undefined);
  if (!metadata) fail(`${entry.name} exports a module, but none of its providers is decorated with @DnsgatePlugin`);
  if (metadata.apiVersion !== PLUGIN_API_VERSION) {
    fail(
      `${entry.name} was built for dnsgate plugin API ${metadata.apiVersion}, this dnsgate speaks ${PLUGIN_API_VERSION}; install a version of the plugin built for plugin API ${PLUGIN_API_VERSION}. ${PLUGIN_API_CHANGES[PLUGIN_API_VERSION] ?? ''}`,
    );
  }
  return { module, metadata, source: `${entry.name} (${entry.file})` };
}

/** No installed package matched the name: it may simply be a mistyped built-in name. */
export class PluginPackageNotFoundError extends ConfigError {
  override readonly name = 'PluginPackageNotFoundError';
}

function fail(problem: string): never {
  throw new ConfigError('dnsgate', [`DNSGATE_PLUGIN: ${problem}`]);
}

/** The @DnsgatePlugin metadata of a module provider, however it was declared. */
export function pluginMetadataOfProvider(provider: unknown): DnsgatePluginMetadata | undefined {
  if (typeof provider === 'function') return getPluginMetadata(provider);
  if (typeof provider !== 'object' || provider === null) return undefined;
  const { useClass, useValue, provide } = provider as { useClass?: unknown; useValue?: unknown; provide?: unknown };
  return (
    getPluginMetadata(useClass) ??
    getPluginMetadata((useValue as object | undefined)?.constructor) ??
    getPluginMetadata(provide)
  );
}

function pickModule(exported: Record<string, unknown>): DynamicModule | undefined {
  const defaultExport = exported.default as Record<string, unknown> | undefined;
  const candidates = [exported.dnsgatePlugin, defaultExport?.dnsgatePlugin, defaultExport];
  return candidates.find(
    (candidate): candidate is DynamicModule =>
      typeof candidate === 'object' && candidate !== null && typeof (candidate as DynamicModule).module === 'function',
  );
}

function locateEntry(spec: string, cwd: string): { name: string; file: string } {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) fail(`no file or directory at ${path}`);
    return statSync(path).isDirectory() ? packageEntry(path, spec) : { name: spec, file: path };
  }
  const names =
    spec.startsWith('@') || spec.includes('/') || SHORT_NAME_PREFIXES.some((p) => spec.startsWith(p))
      ? [spec]
      : [...SHORT_NAME_PREFIXES.map((prefix) => prefix + spec), spec];
  const searchFrom = [cwd, dirname(fileURLToPath(import.meta.url))];
  for (const name of names) {
    for (const start of searchFrom) {
      const directory = findInstalledPackage(name, start);
      if (directory) return packageEntry(directory, name);
    }
  }
  throw new PluginPackageNotFoundError('dnsgate', [
    `DNSGATE_PLUGIN: no plugin package found for "${spec}" (looked for ${names.join(', ')} in node_modules above ${cwd} and in dnsgate's own); install it with npm install, or give a path`,
  ]);
}

function findInstalledPackage(name: string, start: string): string | undefined {
  let directory = resolve(start);
  for (;;) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
}

function packageEntry(directory: string, name: string): { name: string; file: string } {
  const manifestPath = join(directory, 'package.json');
  if (!existsSync(manifestPath)) return { name, file: join(directory, 'index.js') };
  let manifest: PackageJson;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PackageJson;
  } catch (error) {
    fail(`${manifestPath} is not valid JSON: ${(error as Error).message}`);
  }
  const exported = pickExport(manifest.exports);
  const relative = exported ?? manifest.main ?? 'index.js';
  const file = resolve(directory, relative);
  if (!existsSync(file))
    fail(`${manifest.name ?? name} names ${relative} as its entry, but ${file} does not exist (was it built?)`);
  return { name: manifest.name ?? name, file };
}

/** The file of the package's "." export under the conditions Node's ESM loader would pick. */
function pickExport(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return pickExport(map['.']);
  for (const condition of ['import', 'node', 'default', 'require']) {
    if (condition in map) {
      const picked = pickExport(map[condition]);
      if (picked) return picked;
    }
  }
  return undefined;
}
