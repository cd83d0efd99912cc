import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a real tool (dig, named-checkzone, nsupdate) and returns its output; never throws on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 20_000, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
          reject(error);
          return;
        }
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** `dig +short` for one name and type against a server on loopback. */
export async function digShort(server: string, port: number, name: string, type: string): Promise<string[]> {
  const result = await runCommand('dig', [
    `@${server}`,
    '-p',
    String(port),
    '+short',
    '+tcp',
    '+norecurse',
    name,
    type,
  ]);
  if (result.code !== 0) throw new Error(`dig failed (${result.code}): ${result.stderr || result.stdout}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort();
}
