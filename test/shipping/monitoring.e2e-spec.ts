import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { PowerDnsTestServer } from '../support/powerdns-server.js';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { runCommand } from '../support/run-command.js';
import { REPO_ROOT } from '../plugins/package-tools.js';
import { PROMTOOL_BIN, PrometheusTestServer } from './support/prometheus-server.js';

const RULES_FILE = join(REPO_ROOT, 'deploy/monitoring/dnsgate-alerts.yaml');
const RULE_TESTS_FILE = join(REPO_ROOT, 'test/shipping/fixtures/dnsgate-alerts.promtool-test.yaml');
const DASHBOARD_FILE = join(REPO_ROOT, 'deploy/monitoring/dnsgate-dashboard.json');

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}

const rules = parse(readFileSync(RULES_FILE, 'utf8')) as RuleFile;
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
  panels: Array<{ targets?: Array<{ expr: string }> }>;
};

/** Metric names an expression refers to (ours and the process defaults), without PromQL functions and labels. */
function metricNames(expression: string): string[] {
  const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...withoutStrings.matchAll(/\b(?:dnsgate|process|nodejs)_[a-z0-9_]+\b/g)].map((match) => match[0]);
}

/** Every series name a /metrics text exposes: histograms as _bucket, _sum and _count. */
function exportedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s ${lastError}`);
}

describe('deploy/monitoring: alert rules and dashboard', () => {
  let work: string;
  let pdns: PowerDnsTestServer;
  let dnsgate: DnsgateProcess;
  let prometheus: PrometheusTestServer | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dnsgate-monitoring-'));
    pdns = await PowerDnsTestServer.start();
    await pdns.createZone('example.org');
    dnsgate = await spawnDnsgate({
      env: {
        DNSGATE_PLUGIN: 'powerdns',
        DNSGATE_POWERDNS_URL: pdns.url,
        DNSGATE_POWERDNS_API_KEY: pdns.apiKey,
        DNSGATE_POWERDNS_ZONES: 'example.org',
        DNSGATE_POWERDNS_TIMEOUT: '800ms',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await dnsgate?.stop();
    await pdns?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('passes promtool check rules', async () => {
    const result = await runCommand(PROMTOOL_BIN, ['check', 'rules', RULES_FILE]);
    expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({
      code: 0,
      out: expect.stringMatching(/SUCCESS: \d+ rules found/),
    });
  });

  it('passes its promtool unit tests: each alert fires on its series after its `for:`, and not on harmless ones', async () => {
    const result = await runCommand(PROMTOOL_BIN, ['test', 'rules', RULE_TESTS_FILE]);
    expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({
      code: 0,
      out: expect.stringContaining('SUCCESS'),
    });
  });

  it('has the alerts the runbook promises', () => {
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'DnsgateBackendDown',
        'DnsgateSoftErrorsRising',
        'DnsgateApplyNearTimeout',
        'DnsgateChangesRefused',
      ]),
    );
    const backendDown = rules.groups.flatMap((g) => g.rules).find((rule) => rule.alert === 'DnsgateBackendDown')!;
    expect(backendDown.for).toBe('5m');
  });

  it('uses in rules and dashboard only metric names a running dnsgate exports', async () => {
    // The names come from the # TYPE lines, which exist before any series is observed.
    const metrics = await (await fetch(`${dnsgate.healthUrl}/metrics`)).text();
    const exported = exportedNames(metrics);
    const expressions = [
      ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ];
    const used = new Set(expressions.flatMap(metricNames));
    expect(used.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    // The dashboard shows every metric the gateway itself owns.
    const gatewayMetrics = [...metrics.matchAll(/^# TYPE (dnsgate_(?:http|plugin|changes|build)\S*) (\S+)$/gm)].map(
      ([, name, type]) => (type === 'histogram' ? `${name}_bucket` : name!),
    );
    const dashboardNames = new Set(
      dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))),
    );
    expect(gatewayMetrics.filter((name) => !dashboardNames.has(name))).toEqual([]);
  });

  it('a real Prometheus scraping dnsgate raises the backend-down alert when PowerDNS stops, and clears it when it is back', async () => {
    // The test copy waits seconds instead of minutes; the expressions are the shipped ones.
    const testRules = structuredClone(rules);
    for (const rule of testRules.groups.flatMap((group) => group.rules)) if (rule.for) rule.for = '2s';
    const ruleFile = join(work, 'dnsgate-alerts.test.yaml');
    await writeFile(ruleFile, stringify(testRules));
    expect((await runCommand(PROMTOOL_BIN, ['check', 'rules', ruleFile])).code).toBe(0);

    prometheus = await PrometheusTestServer.start(join(work, 'prometheus'), {
      targets: [new URL(dnsgate.healthUrl).host],
      ruleFile,
    });
    const server = prometheus;
    const backendDown = async (): Promise<string | undefined> =>
      (await server.alerts()).find((alert) => alert.labels.alertname === 'DnsgateBackendDown')?.state;

    await waitFor('a scrape seeing the plugin ready', async () => {
      const [sample] = await server.query('dnsgate_plugin_ready{plugin="powerdns"}');
      return sample?.value === 1 ? sample : undefined;
    });
    expect(await backendDown()).toBeUndefined();

    await pdns.halt();
    const state = await waitFor('DnsgateBackendDown firing', async () =>
      (await backendDown()) === 'firing' ? 'firing' : undefined,
    );
    expect(state).toBe('firing');
    const [alert] = (await server.alerts()).filter((a) => a.labels.alertname === 'DnsgateBackendDown');
    expect(alert!.labels).toMatchObject({ plugin: 'powerdns', exported_instance: 'powerdns', severity: 'critical' });

    await pdns.launch();
    await waitFor('DnsgateBackendDown clearing', async () => ((await backendDown()) === undefined ? true : undefined));
    const [ready] = await server.query('dnsgate_plugin_ready{plugin="powerdns"}');
    expect(ready?.value).toBe(1);
  }, 240_000);
});
