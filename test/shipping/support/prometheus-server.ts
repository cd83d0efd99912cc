import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';

/** Where test/setup/install-shipping-tools.sh unpacks Debian's prometheus package. */
export const PROMETHEUS_ROOT = join(
  process.env.DNSGATE_TEST_TOOLS_DIR ?? '/var/cache/dnsgate-test-tools',
  'prometheus',
);
export const PROMETHEUS_BIN = join(PROMETHEUS_ROOT, 'usr/bin/prometheus');
export const PROMTOOL_BIN = join(PROMETHEUS_ROOT, 'usr/bin/promtool');

export interface PrometheusAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/**
 * A real Prometheus on a loopback port, with its own configuration and data
 * directory, scraping the given targets every second and evaluating the
 * rule file every second.
 */
export class PrometheusTestServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  static async start(dir: string, options: { targets: string[]; ruleFile: string }): Promise<PrometheusTestServer> {
    await mkdir(join(dir, 'data'), { recursive: true });
    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(options.ruleFile)}`,
        'scrape_configs:',
        '  - job_name: dnsgate',
        '    static_configs:',
        `      - targets: ${JSON.stringify(options.targets)}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusTestServer(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${server.log}`);
      try {
        if ((await fetch(`${server.url}/-/ready`)).ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`prometheus did not become ready in 30 s:\n${server.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get log(): string {
    return this.output;
  }

  /** An instant query; the vector's samples as label sets with their value. */
  async query(expression: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`query ${expression} failed: ${body.error}`);
    return body.data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
  }

  /** The alerts that are pending or firing now. */
  async alerts(): Promise<PrometheusAlert[]> {
    const body = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as { data: { alerts: PrometheusAlert[] } };
    return body.data.alerts;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
