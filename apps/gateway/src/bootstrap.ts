import 'reflect-metadata';
import { type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, WEBHOOK_BODY_LIMIT_BYTES, parseDuration } from '@dnsgate/plugin-sdk';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { AppModule } from './app.module.js';
import { backendSpecs, instanceVariablePart, type BackendSpec } from './backends/backend-config.js';
import { warnAboutUnknownVariables } from './cli/unknown-variables.js';
import type { GatewayOptions } from './config/gateway.options.js';
import type { ConfiguredBackend } from './core/gateway-core.module-definition.js';
import { loadGatewayOptions } from './config/load-gateway-options.js';
import { createHealthServer } from './health/health-server.js';
import { LAZY_SCHEMA_CONTROLLER } from './http/lazy-schema-compilers.js';
import { serverTimeoutOptions } from './http/server-timeouts.js';
import { DnsgateLogger } from './logging/dnsgate-logger.js';
import { SecretRedactor } from './logging/secret-redactor.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { registerHttpMetricsHooks } from './metrics/http-metrics.hooks.js';
import { Backends } from './backends/backends.service.js';
import { PluginPackageNotFoundError, loadPluginPackage, pluginMetadataOfProvider } from './plugins/plugin-loader.js';
import { registerWebhookBodyParser } from './webhook/webhook-body.parser.js';
import { registerPathPrefixGuard, webhookUrlRewriter } from './webhook/webhook-path-prefix.js';
import { DNSGATE_VERSION } from './version.js';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** The plugin modules to offer; the built-ins when not given. */
  plugins?: DynamicModule[];
}

export interface RunningDnsgate {
  webhookUrl: string;
  healthUrl: string;
  app: NestFastifyApplication;
  backends: Backends;
  /** How long a shutdown may wait for requests in flight (DNSGATE_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Stops taking requests, lets those in flight finish, then stops the plugin. */
  close(): Promise<void>;
}

/**
 * The composition root: settings, logger and metrics registry are made
 * here, then the Nest application. The webhook port listens before the
 * plugin does any backend I/O, so ExternalDNS's negotiation (5 tries in
 * about 4 s) succeeds even while a backend is still coming up.
 */
export async function startDnsgate(start: StartOptions = {}): Promise<RunningDnsgate> {
  const env = start.env ?? process.env;
  const options = loadGatewayOptions(env);
  const redactor = new SecretRedactor();
  const logger = new DnsgateLogger(redactor, options.logLevel, options.logFormat);
  const registry = new Registry();
  const { plugins, configured } = await resolveBackends(
    env,
    options,
    start.plugins ?? (await import('./builtin-plugins.js')).BUILTIN_PLUGINS,
    logger,
  );
  warnAboutUnknownVariables(env, plugins, configured, (line) => logger.warn(line, 'Configuration'));

  const adapter = new FastifyAdapter({
    ...serverTimeoutOptions(options.requestReceiveTimeoutMs),
    schemaController: LAZY_SCHEMA_CONTROLLER,
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    return503OnClosing: true,
    ...(options.webhookPathPrefix ? { rewriteUrl: webhookUrlRewriter(options.webhookPathPrefix) } : {}),
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  registerWebhookBodyParser(fastify);
  registerPathPrefixGuard(fastify, options.webhookPathPrefix, (message) => logger.warn(message, 'Webhook'));

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ options, backends: configured, env, registry, redactor, plugins }),
    adapter,
    { logger, abortOnError: false, bodyParser: false },
  );
  const metrics = app.get(GatewayMetrics);
  metrics.buildInfo.set({ version: DNSGATE_VERSION, node_version: process.version }, 1);
  registerHttpMetricsHooks(fastify, metrics);
  const shutdown = closeConnectionsAfterAnswerOnShutdown(fastify);
  const backends = app.get(Backends);

  let health: FastifyInstance | undefined;
  try {
    await app.listen(options.webhookPort, options.webhookHost);
    health = createHealthServer(backends, registry, serverTimeoutOptions(options.requestReceiveTimeoutMs));
    await health.listen({ port: options.healthPort, host: options.healthHost });
  } catch (error) {
    await health?.close();
    await app.close();
    throw error;
  }
  const webhookUrl = urlOf(fastify);
  const healthUrl = urlOf(health);
  logger.log(
    `webhook API on ${webhookUrl}${options.webhookPathPrefix}, health and metrics on ${healthUrl}`,
    'Bootstrap',
  );
  backends.startInBackground();

  let closing: Promise<void> | undefined;
  return {
    webhookUrl,
    healthUrl,
    app,
    backends,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    close: () => {
      closing ??= (async () => {
        shutdown.begin();
        await app.close();
        await health.close();
      })();
      return closing;
    },
  };
}

function urlOf(server: FastifyInstance): string {
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The configured backend instances, each with its plugin resolved, and every
 * plugin module to offer: the built-ins and the packages the backends name.
 */
export async function resolveBackends(
  env: NodeJS.ProcessEnv,
  options: GatewayOptions,
  builtins: DynamicModule[],
  logger: DnsgateLogger,
): Promise<{ plugins: DynamicModule[]; configured: ConfiguredBackend[] }> {
  let plugins = builtins;
  const configured: ConfiguredBackend[] = [];
  const defaults = {
    plugin: options.plugin,
    dryRun: options.dryRun,
    recordsCache: { mode: options.recordsCache, maxAgeMs: parseDuration(options.recordsCacheMaxAge)! },
  };
  for (const spec of backendSpecs(env, defaults)) {
    const resolved = await resolvePlugin(spec, plugins, logger);
    plugins = resolved.plugins;
    configured.push({ spec, pluginName: resolved.pluginName });
  }
  return { plugins, configured };
}

/**
 * A built-in name selects a built-in; anything else is imported as a plugin
 * package, offered beside the modules already there, and selected by its
 * registered name. A package named by several backends is imported once.
 */
async function resolvePlugin(
  spec: BackendSpec,
  modules: DynamicModule[],
  logger: DnsgateLogger,
): Promise<{ plugins: DynamicModule[]; pluginName: string }> {
  const available = modules.flatMap((module) =>
    (module.providers ?? []).flatMap((p) => pluginMetadataOfProvider(p) ?? []),
  );
  if (available.some((metadata) => metadata.name === spec.pluginSpec)) {
    return { plugins: modules, pluginName: spec.pluginSpec };
  }
  const variable =
    spec.name === spec.pluginSpec ? 'DNSGATE_PLUGIN' : `DNSGATE_BACKEND_${instanceVariablePart(spec.name)}_PLUGIN`;
  try {
    const loaded = await loadPluginPackage(spec.pluginSpec);
    if (available.some((metadata) => metadata.name === loaded.metadata.name)) {
      return { plugins: modules, pluginName: loaded.metadata.name };
    }
    logger.log(`plugin package loaded: ${loaded.source}`, 'Bootstrap');
    return { plugins: [...modules, loaded.module], pluginName: loaded.metadata.name };
  } catch (error) {
    if (!(error instanceof PluginPackageNotFoundError)) throw error;
    const list = available.map((metadata) => `${metadata.name} (${metadata.description})`).join(', ');
    throw new ConfigError('dnsgate', [
      `${variable}: no plugin named "${spec.pluginSpec}"; available: ${list || 'none'}`,
      ...error.problems,
    ]);
  }
}

/**
 * A request in flight when shutdown begins is answered, but its keep-alive
 * connection would then stay open, and the server would wait for it until the
 * 120 s idle timeout. Answers sent after shutdown began say `Connection:
 * close`, so the socket closes right after them (Fastify already closes the
 * connections that were idle, and answers 503 to new requests).
 */
function closeConnectionsAfterAnswerOnShutdown(fastify: FastifyInstance): { begin(): void } {
  let shuttingDown = false;
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  return {
    begin: () => {
      shuttingDown = true;
    },
  };
}
