import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GatewayOptions } from '../../apps/gateway/src/config/gateway.options.js';
import { BUILTIN_PLUGINS } from '../../apps/gateway/src/builtin-plugins.js';
import {
  INSTANCE_VARIABLE_SUFFIXES,
  backendSpecs,
  instanceVariablePart,
} from '../../apps/gateway/src/backends/backend-config.js';
import {
  describeOptions,
  gatewaySection,
  knownVariables,
  pluginSection,
  pluginsOfModules,
} from '../../apps/gateway/src/cli/option-catalog.js';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { REPO_ROOT } from '../plugins/package-tools.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface VolumeMount {
  name: string;
  mountPath: string;
}
interface Volume {
  name: string;
  secret?: { secretName: string };
  persistentVolumeClaim?: unknown;
  emptyDir?: unknown;
}
/** The dnsgate container as either format describes it. */
interface DnsgateContainer {
  source: string;
  env: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts: VolumeMount[];
  volumes: Volume[];
  ports: Array<{ name?: string; containerPort: number }>;
}

const DEPLOY = join(REPO_ROOT, 'deploy');
const sections = [gatewaySection(), ...pluginsOfModules(BUILTIN_PLUGINS).map(pluginSection)];
const KNOWN = new Set(knownVariables(sections));
const SECRET_VARIABLES = new Set(sections.flatMap((s) => s.entries.filter((e) => e.secret).map((e) => e.variable)));
const HEALTH_PORT = new GatewayOptions().healthPort;

/**
 * The variables a container with several backends (DNSGATE_BACKENDS) reads:
 * the gateway's, each instance's own, and its plugin's options under the
 * instance, read with the same parser dnsgate boots with. Secrets among them.
 */
function instanceVariables(env: EnvVar[]): { known: Set<string>; secrets: Set<string> } {
  const raw = Object.fromEntries(env.map((e) => [e.name, e.value ?? 'from-a-secret']));
  const known = new Set(knownVariables([gatewaySection()]));
  const secrets = new Set<string>();
  if (raw.DNSGATE_BACKENDS === undefined) return { known, secrets };
  known.add('DNSGATE_BACKENDS');
  for (const spec of backendSpecs(raw, BACKEND_DEFAULTS)) {
    const prefix = `DNSGATE_BACKEND_${instanceVariablePart(spec.name)}_`;
    for (const suffix of INSTANCE_VARIABLE_SUFFIXES) known.add(`${prefix}${suffix}`);
    const metadata = pluginsOfModules(BUILTIN_PLUGINS).find((m) => m.name === spec.pluginSpec);
    if (!metadata?.options) continue;
    for (const entry of describeOptions(metadata.options as new () => object, spec.optionPrefix(metadata.name))) {
      known.add(entry.variable);
      if (entry.secret) secrets.add(entry.variable);
    }
  }
  return { known, secrets };
}
const WEBHOOK_PORT = new GatewayOptions().webhookPort;
const BACKEND_DEFAULTS = { plugin: 'file', dryRun: false, recordsCache: { mode: 'auto' as const, maxAgeMs: 600_000 } };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function parse(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS() as unknown;
  });
}

const files = yamlFiles(DEPLOY);
const documents = files.flatMap((file) => parse(file).map((doc) => ({ file: relative(REPO_ROOT, file), doc })));

type Json = Record<string, any>;

function helmContainers(): DnsgateContainer[] {
  return documents
    .filter(({ file }) => file.startsWith('deploy/helm/'))
    .map(({ file, doc }) => {
      const values = doc as Json;
      const webhook = values.provider?.webhook as Json;
      return {
        source: file,
        env: (webhook?.env ?? []) as EnvVar[],
        livenessProbe: webhook?.livenessProbe as Probe,
        readinessProbe: webhook?.readinessProbe as Probe,
        volumeMounts: (webhook?.extraVolumeMounts ?? []) as VolumeMount[],
        volumes: (values.extraVolumes ?? []) as Volume[],
        // The chart's webhook container publishes its service port, 8080 unless overridden.
        ports: [{ name: 'http-webhook', containerPort: (webhook?.service?.port as number | undefined) ?? 8080 }],
      };
    });
}

function manifestContainers(): DnsgateContainer[] {
  return documents
    .filter(({ doc }) => (doc as Json)?.kind === 'Deployment')
    .flatMap(({ file, doc }) => {
      const pod = (doc as Json).spec.template.spec as Json;
      return (pod.containers as Json[])
        .filter((container) => container.name === 'dnsgate')
        .map((container) => ({
          source: file,
          env: (container.env ?? []) as EnvVar[],
          livenessProbe: container.livenessProbe as Probe,
          readinessProbe: container.readinessProbe as Probe,
          volumeMounts: (container.volumeMounts ?? []) as VolumeMount[],
          volumes: (pod.volumes ?? []) as Volume[],
          ports: (container.ports ?? []) as DnsgateContainer['ports'],
        }));
    });
}

describe('deploy/: Helm values and Kubernetes manifests', () => {
  const containers = [...helmContainers(), ...manifestContainers()];

  it('every YAML file parses, and there are values for each built-in plugin and a Deployment', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const plugins = containers.flatMap((c) => c.env.find((e) => e.name === 'DNSGATE_PLUGIN')?.value ?? []);
    expect(new Set(plugins)).toEqual(new Set(['file', 'powerdns', 'rfc2136']));
    // And one sidecar with several backends.
    expect(containers.filter((c) => c.env.some((e) => e.name === 'DNSGATE_BACKENDS')).length).toBeGreaterThanOrEqual(1);
    expect(manifestContainers()).toHaveLength(1);
  });

  it('uses only variables dnsgate reads, each of the selected plugin', () => {
    for (const container of containers) {
      const names = container.env.map((e) => e.name);
      if (names.includes('DNSGATE_BACKENDS')) {
        const { known } = instanceVariables(container.env);
        expect({ source: container.source, unknown: names.filter((name) => !known.has(name)) }).toEqual({
          source: container.source,
          unknown: [],
        });
        continue;
      }
      expect({ source: container.source, unknown: names.filter((name) => !KNOWN.has(name)) }).toEqual({
        source: container.source,
        unknown: [],
      });
      const plugin = container.env.find((e) => e.name === 'DNSGATE_PLUGIN')!.value!;
      const prefix = `DNSGATE_${plugin.toUpperCase()}_`;
      const otherPlugins = ['FILE', 'POWERDNS', 'RFC2136'].map((p) => `DNSGATE_${p}_`).filter((p) => p !== prefix);
      expect(names.filter((name) => otherPlugins.some((other) => name.startsWith(other)))).toEqual([]);
    }
  });

  it('never holds a secret in plain values: secrets come from a secretKeyRef or a file on a Secret volume', () => {
    let secretsSeen = 0;
    for (const container of containers) {
      const instanceSecrets = instanceVariables(container.env).secrets;
      for (const variable of container.env) {
        if (SECRET_VARIABLES.has(variable.name) || instanceSecrets.has(variable.name)) {
          secretsSeen++;
          expect({ source: container.source, name: variable.name, value: variable.value }).toEqual({
            source: container.source,
            name: variable.name,
            value: undefined,
          });
          expect(variable.valueFrom?.secretKeyRef?.name).toBeTruthy();
        }
        const secretOfFile = variable.name.replace(/_FILE$/, '');
        if (variable.name.endsWith('_FILE') && SECRET_VARIABLES.has(secretOfFile)) {
          secretsSeen++;
          const mount = container.volumeMounts.find((m) => variable.value!.startsWith(`${m.mountPath}/`));
          const volume = container.volumes.find((v) => v.name === mount?.name);
          expect({ source: container.source, name: variable.name, secretVolume: volume?.secret?.secretName }).toEqual({
            source: container.source,
            name: variable.name,
            secretVolume: expect.any(String),
          });
        }
      }
    }
    // powerdns (values + Deployment) and rfc2136 carry one secret each.
    expect(secretsSeen).toBeGreaterThanOrEqual(3);
    const secrets = documents.filter(({ doc }) => (doc as Json)?.kind === 'Secret');
    for (const { doc } of secrets) {
      for (const value of Object.values({ ...(doc as Json).stringData, ...(doc as Json).data })) {
        expect(value).toMatch(/^REPLACE_WITH_/);
      }
    }
  });

  it('probes /healthz and /readyz on the health port, and the file plugin writes into its volume', () => {
    for (const container of containers) {
      const portOf = (port: number | string | undefined): number | undefined =>
        typeof port === 'number' ? port : container.ports.find((p) => p.name === port)?.containerPort;
      expect({
        source: container.source,
        liveness: container.livenessProbe?.httpGet?.path,
        livenessPort: portOf(container.livenessProbe?.httpGet?.port),
        readiness: container.readinessProbe?.httpGet?.path,
        readinessPort: portOf(container.readinessProbe?.httpGet?.port),
      }).toEqual({
        source: container.source,
        liveness: '/healthz',
        livenessPort: HEALTH_PORT,
        readiness: '/readyz',
        readinessPort: HEALTH_PORT,
      });
      const fileDir = container.env.find((e) => e.name === 'DNSGATE_FILE_DIR')?.value;
      if (fileDir) expect(container.volumeMounts.map((m) => m.mountPath)).toContain(fileDir);
    }
  });

  it('selects the webhook provider and points ExternalDNS at dnsgate’s webhook port', () => {
    for (const { file, doc } of documents.filter(({ file }) => file.startsWith('deploy/helm/'))) {
      expect({ file, provider: (doc as Json).provider?.name, monitor: (doc as Json).serviceMonitor?.enabled }).toEqual({
        file,
        provider: 'webhook',
        monitor: true,
      });
    }
    const deployment = documents.find(({ doc }) => (doc as Json)?.kind === 'Deployment')!.doc as Json;
    const externalDns = (deployment.spec.template.spec.containers as Json[]).find((c) => c.name === 'external-dns')!;
    expect(externalDns.args).toEqual(
      expect.arrayContaining(['--provider=webhook', `--webhook-provider-url=http://localhost:${WEBHOOK_PORT}`]),
    );
  });

  describe('against a running dnsgate', () => {
    let dnsgate: DnsgateProcess;
    beforeAll(async () => {
      dnsgate = await spawnDnsgate({
        env: { DNSGATE_FILE_ZONES: 'example.org', DNSGATE_FILE_DIR: join(REPO_ROOT, '.tmp', `deploy-${process.pid}`) },
      });
    });
    afterAll(async () => {
      await dnsgate?.stop();
    });

    it('answers 200 on every probe path the manifests use', async () => {
      const paths = new Set(
        containers.flatMap((c) => [c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).filter(Boolean),
      );
      expect(paths.size).toBe(2);
      for (const path of paths)
        expect({ path, status: (await fetch(dnsgate.healthUrl + path!)).status }).toEqual({ path, status: 200 });
    });
  });
});
