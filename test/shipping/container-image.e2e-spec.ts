import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { freePort } from '../support/free-port.js';
import { assertNamedCheckzone } from '../support/named-checkzone.js';
import { REPO_ROOT } from '../plugins/package-tools.js';
import { Podman, execute } from './support/podman.js';

/** Debian's bundle: the public CAs plus any the machine added (update-ca-certificates). */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const BASE_IMAGE_SCRIPT = join(REPO_ROOT, 'test/shipping/support/make-node-base-images.sh');

/**
 * The Dockerfile at the top of the repository, built and run as a user
 * would, with podman. No container registry is reachable here, so the base
 * images are made locally (Node 24 from the npm registry on an empty image)
 * and passed as BUILD_IMAGE / RUNTIME_IMAGE: the Dockerfile itself is the
 * one `docker build .` uses.
 */
describe('the container image (Dockerfile)', () => {
  const run = randomBytes(4).toString('hex');
  const runtimeBase = `localhost/dnsgate-e2e/node-runtime:${run}`;
  const buildBase = `localhost/dnsgate-e2e/node-build:${run}`;
  const image = `localhost/dnsgate-e2e/dnsgate:${run}`;
  const container = `dnsgate-e2e-${run}`;
  let podman: Podman;
  let work: string;
  let zones: string;
  let webhookUrl: string;
  let healthUrl: string;
  let uid: number;
  let gid: number;
  let imageConfig: {
    Config: {
      User?: string;
      ExposedPorts?: Record<string, unknown>;
      Cmd?: string[];
      Env?: string[];
      Healthcheck?: unknown;
    };
    Size: number;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dnsgate-image-'));
    podman = await Podman.configure(work);
    const bases = await execute(
      'bash',
      [BASE_IMAGE_SCRIPT, runtimeBase, buildBase, join(work, 'base')],
      podman.environment,
      300_000,
    );
    if (bases.code !== 0) throw new Error(`making the base images failed:\n${bases.stdout}\n${bases.stderr}`);

    // This machine's outgoing TLS is re-signed by a local CA: hand the build the
    // host's bundle for its npm ci, as a build argument (never baked into the image).
    const caBundle = process.env.NODE_EXTRA_CA_CERTS ?? SYSTEM_CA_BUNDLE;
    const caArgs =
      caBundle && existsSync(caBundle)
        ? [
            '-v',
            `${caBundle}:/run/dnsgate-build-ca.crt:ro`,
            '--build-arg',
            'NODE_EXTRA_CA_CERTS=/run/dnsgate-build-ca.crt',
          ]
        : [];
    const started = Date.now();
    await podman.must(
      [
        'build',
        '--force-rm',
        '--layers=false',
        '--pull=never',
        '--network',
        'host',
        ...caArgs,
        '--build-arg',
        `BUILD_IMAGE=${buildBase}`,
        '--build-arg',
        `RUNTIME_IMAGE=${runtimeBase}`,
        '-t',
        image,
        REPO_ROOT,
      ],
      900_000,
    );
    [imageConfig] = JSON.parse(await podman.must(['image', 'inspect', image])) as [typeof imageConfig];
    console.log(
      `dnsgate image built in ${Math.round((Date.now() - started) / 1000)} s: ${(imageConfig.Size / 1e6).toFixed(1)} MB ` +
        `(of which the local Node 24 base: ${(JSON.parse(await podman.must(['image', 'inspect', runtimeBase]))[0].Size / 1e6).toFixed(1)} MB)`,
    );

    zones = join(work, 'zones');
    await mkdir(zones);
    const [user, group] = (imageConfig.Config.User ?? '').split(':').map(Number);
    uid = user!;
    gid = group ?? uid;
    await chown(zones, uid, gid);
    const webhookPort = await freePort();
    const healthPort = await freePort();
    await podman.must([
      'run',
      '-d',
      '--name',
      container,
      '--read-only',
      '--cap-drop=all',
      '--user',
      imageConfig.Config.User!,
      '-p',
      `127.0.0.1:${webhookPort}:8888`,
      '-p',
      `127.0.0.1:${healthPort}:8080`,
      // The published port reaches the container's own interface, not its loopback.
      '-e',
      'DNSGATE_WEBHOOK_HOST=0.0.0.0',
      '-e',
      'DNSGATE_FILE_ZONES=example.org',
      '-v',
      `${zones}:/data/zones`,
      image,
    ]);
    webhookUrl = `http://127.0.0.1:${webhookPort}`;
    healthUrl = `http://127.0.0.1:${healthPort}`;
    await waitForReady(healthUrl, () => podman.run(['logs', container]));
  }, 1_200_000);

  afterAll(async () => {
    if (podman) {
      await podman.run(['rm', '-f', '-t', '2', container]);
      await podman.run(['rmi', '-f', image, buildBase, runtimeBase]);
    }
    if (work) await rm(work, { recursive: true, force: true });
  }, 120_000);

  it('runs as a numeric non-root user, exposes 8888 and 8080, starts node on the compiled gateway, has no HEALTHCHECK', () => {
    const { User, ExposedPorts, Cmd, Env, Healthcheck } = imageConfig.Config;
    expect(User).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(Object.keys(ExposedPorts ?? {}).sort()).toEqual(['8080/tcp', '8888/tcp']);
    expect(Cmd).toEqual(['node', 'apps/gateway/dist/main.js']);
    expect(Healthcheck).toBeUndefined();
    expect((Env ?? []).join('\n')).not.toMatch(/NODE_EXTRA_CA_CERTS/);
  });

  it('holds the production dependencies and the compiled output only: no compiler, test tools, sources or npm cache', async () => {
    const probe = [
      "const fs = require('node:fs');",
      "const has = (p) => fs.existsSync('/app/' + p);",
      'const sources = [];',
      'const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {',
      "  const p = d + '/' + e.name; if (e.isDirectory()) { if (e.name !== 'node_modules') walk(p); }",
      "  else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) sources.push(p); } };",
      "walk('/app');",
      'console.log(JSON.stringify({',
      "  nest: has('node_modules/@nestjs/core/package.json'), gateway: has('apps/gateway/dist/main.js'),",
      "  dev: ['typescript', 'jest', 'ts-jest', 'eslint', 'prettier', 'fast-check', 'yaml'].filter((m) => has('node_modules/' + m)),",
      '  sources }));',
    ].join('\n');
    const out = await podman.must(['run', '--rm', '--read-only', image, 'node', '-e', probe]);
    expect(JSON.parse(out)).toEqual({ nest: true, gateway: true, dev: [], sources: [] });
  }, 120_000);

  it('serves the webhook API through the published port and writes the zone file into its volume', async () => {
    const negotiate = await fetch(`${webhookUrl}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
    expect(negotiate.status).toBe(200);
    expect(negotiate.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
    expect(await negotiate.json()).toEqual({ include: ['example.org'] });

    const apply = await fetch(`${webhookUrl}/records`, {
      method: 'POST',
      headers: { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE },
      body: `${JSON.stringify({ create: [{ dnsName: 'www.example.org', targets: ['192.0.2.10'], recordType: 'A', recordTTL: 60 }] })}\n`,
    });
    expect(apply.status).toBe(204);
    const records = (await (
      await fetch(`${webhookUrl}/records`, { headers: { accept: WEBHOOK_MEDIA_TYPE } })
    ).json()) as Array<{
      dnsName: string;
      targets: string[];
    }>;
    expect(records).toContainEqual(expect.objectContaining({ dnsName: 'www.example.org', targets: ['192.0.2.10'] }));

    const zoneFile = join(zones, 'example.org.zone');
    expect(await readFile(zoneFile, 'utf8')).toMatch(/^www\s+60\s+IN\s+A\s+192\.0\.2\.10$/m);
    await assertNamedCheckzone('example.org', zoneFile);
  });

  it('answers /healthz, /readyz and /metrics on the health port', async () => {
    expect((await fetch(`${healthUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${healthUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', plugins: [{ plugin: 'file', ready: true }] });
    const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/^dnsgate_build_info\{version="[^"]+",node_version="v24\.[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^dnsgate_plugin_ready\{plugin="file",instance="file"\} 1$/m);
  });

  it('runs `dnsgate check` and `--help` from the image, as an init container would', async () => {
    const ok = await podman.run([
      'run',
      '--rm',
      '--read-only',
      '--cap-drop=all',
      '-e',
      'DNSGATE_FILE_ZONES=example.org',
      '-v',
      `${zones}:/data/zones`,
      image,
      'node',
      'apps/gateway/dist/main.js',
      'check',
    ]);
    expect({ code: ok.code, stdout: ok.stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining('zones: example.org'),
    });
    // An empty zone directory and no DNSGATE_FILE_ZONES: the quick start's old mistake.
    const empty = join(work, 'empty-zones');
    await mkdir(empty);
    await chown(empty, uid, gid);
    const noZone = await podman.run([
      'run',
      '--rm',
      '--read-only',
      '--cap-drop=all',
      '-v',
      `${empty}:/data/zones`,
      image,
      'node',
      'apps/gateway/dist/main.js',
      'check',
    ]);
    expect(noZone.code).not.toBe(0);
    expect(noZone.stderr).toContain('no zone to manage');
    // A new named volume, as `docker run -v dnsgate-zones:/data/zones` makes one: it takes the
    // image's ownership of /data/zones, so the user can write the zone file into it.
    const volume = `dnsgate-e2e-zones-${run}`;
    try {
      const named = await podman.run([
        'run',
        '--rm',
        '--read-only',
        '--cap-drop=all',
        '-e',
        'DNSGATE_FILE_ZONES=example.org',
        '-v',
        `${volume}:/data/zones`,
        image,
        'node',
        'apps/gateway/dist/main.js',
        'check',
      ]);
      expect({ code: named.code, stderr: named.stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      await podman.run(['volume', 'rm', '-f', volume]);
    }
    const help = await podman.must(['run', '--rm', image, 'node', 'apps/gateway/dist/main.js', '--help']);
    expect(help).toContain('DNSGATE_FILE_ZONES');
  }, 120_000);

  it('stops cleanly on SIGTERM (podman stop), with exit code 0', async () => {
    await podman.must(['stop', '-t', '20', container], 60_000);
    expect((await podman.must(['inspect', '--format', '{{.State.ExitCode}}', container])).trim()).toBe('0');
  }, 60_000);
});

/** Polls /readyz; the first connections after `podman run -d` may be refused while the port forward comes up. */
async function waitForReady(healthUrl: string, logs: () => Promise<{ stdout: string; stderr: string }>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${healthUrl}/readyz`);
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const output = await logs();
  throw new Error(`the container did not become ready (last: ${last}):\n${output.stdout}${output.stderr}`);
}
