import { NestFactory } from '@nestjs/core';
import { ConfigError, type DomainFilter } from '@dnsgate/plugin-sdk';
import { Registry } from 'prom-client';
import { AppModule } from '../app.module.js';
import { Backends } from '../backends/backends.service.js';
import { resolveBackends } from '../bootstrap.js';
import { loadGatewayOptions } from '../config/load-gateway-options.js';
import { DomainScope } from '../domain-filter/domain-scope.service.js';
import { DnsgateLogger } from '../logging/dnsgate-logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { warnAboutUnknownVariables } from './unknown-variables.js';

/** Exit codes of `dnsgate check`, so an init container's log and status say which side is wrong. */
export const CHECK_EXIT = { ok: 0, backend: 1, configuration: 2 } as const;

export interface CheckReport {
  plugin: string;
  zones: string[];
  announced: DomainFilter;
}

export interface CheckIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * `dnsgate check`: everything a boot does up to serving, then one look at
 * the backend. The same loaders, registry and plugin host as the server, so
 * a check that passes means the server would start with this configuration.
 */
export async function runCheck(env: NodeJS.ProcessEnv, timeoutMs: number, io: CheckIo): Promise<number> {
  const redactor = new SecretRedactor();
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  try {
    const options = loadGatewayOptions(env);
    // Only warnings and errors: the check's own lines are the report.
    const logger = new DnsgateLogger(redactor, options.logLevel === 'debug' ? 'debug' : 'warn', options.logFormat);
    const builtins = (await import('../builtin-plugins.js')).BUILTIN_PLUGINS;
    const { plugins, configured } = await resolveBackends(env, options, builtins, logger);
    warnAboutUnknownVariables(env, plugins, configured, (line) => io.err(`warning: ${line}`));
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ options, backends: configured, env, registry: new Registry(), redactor, plugins }),
      { logger, abortOnError: false },
    );
    const backends = app.get(Backends);
    const described = backends
      .all()
      .map((b) => (b.name === b.pluginName ? `plugin "${b.name}"` : `backend "${b.name}" (plugin ${b.pluginName})`));
    io.out(`configuration: valid (${described.join(', ')})`);

    backends.startInBackground();
    try {
      await backends.whenStarted(timeoutMs);
    } catch (error) {
      io.err(
        `dnsgate check failed: cannot reach the backend within ${timeoutMs / 1000} s: ${(error as Error).message}`,
      );
      return CHECK_EXIT.backend;
    }
    const notReady = (await backends.readiness()).filter((instance) => !instance.ready);
    if (notReady.length > 0) {
      for (const instance of notReady) {
        io.err(
          `dnsgate check failed: ${instance.instance === instance.plugin ? 'the plugin' : `backend "${instance.instance}"`} is not ready: ${instance.reason}`,
        );
      }
      return CHECK_EXIT.backend;
    }
    io.out('backend: reachable, plugin ready');

    const scope = app.get(DomainScope);
    const { zones } = await scope.current();
    const announced = await scope.announcement();
    io.out(`zones: ${zones.length > 0 ? zones.join(', ') : '(none)'}`);
    io.out(`domain filter announced on GET /: ${JSON.stringify(announced)}`);
    if (zones.length === 0) {
      io.err(
        'dnsgate check failed: no zone to manage (none configured, or none left by the domain filter); ' +
          'ExternalDNS would be told every domain and every change would be dropped',
      );
      return CHECK_EXIT.configuration;
    }
    io.out('dnsgate check: OK');
    return CHECK_EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`dnsgate check failed: ${error.message}`);
      return CHECK_EXIT.configuration;
    }
    io.err(`dnsgate check failed: ${redactor.redact((error as Error).stack ?? String(error))}`);
    return CHECK_EXIT.backend;
  } finally {
    await app?.close().catch(() => undefined);
  }
}
