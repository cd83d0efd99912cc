import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Podman as root without a daemon, configured for these machines: runc
 * (crun cannot run under hybrid cgroups here) and ulimits the kernel allows
 * (podman's defaults are refused). The configuration lives in the test's own
 * directory, given through CONTAINERS_CONF, so nothing system-wide changes.
 */
export class Podman {
  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  static async configure(dir: string): Promise<Podman> {
    const config = join(dir, 'containers.conf');
    await writeFile(
      config,
      [
        '[containers]',
        'default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]',
        '[engine]',
        'runtime = "runc"',
        '',
      ].join('\n'),
    );
    return new Podman({ ...process.env, CONTAINERS_CONF: config });
  }

  /** The environment podman, buildah and the base-image script must run with. */
  get environment(): NodeJS.ProcessEnv {
    return this.env;
  }

  run(args: string[], timeoutMs = 120_000): Promise<PodmanResult> {
    return execute('podman', args, this.env, timeoutMs);
  }

  /** Like run, but throws with the output when the command fails. */
  async must(args: string[], timeoutMs = 120_000): Promise<string> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(`podman ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }
}

export function execute(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
        reject(error);
        return;
      }
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
