import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './run-command.js';

/**
 * Runs `named-checkzone` on one zone file and throws with BIND's own output
 * when the zone would not load. `-i full` (the default) also checks that
 * in-zone NS/MX/SRV targets resolve; `-k fail` makes bad owner names fatal.
 */
export async function assertNamedCheckzone(zone: string, file: string): Promise<CommandResult> {
  const result = await runCommand('named-checkzone', ['-k', 'fail', '-n', 'fail', zone, file]);
  if (result.code !== 0 || !/\bOK\s*$/.test(result.stdout)) {
    throw new Error(`named-checkzone ${zone} ${file} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return result;
}

/**
 * Checks every zone file in a directory, by the file plugin's naming
 * (`<zone>.zone`, `db.<zone>`; dotfiles are temp and lock files). Returns
 * the zones checked, so a test can assert the list is not empty.
 */
export async function assertNamedCheckzoneDir(dir: string): Promise<string[]> {
  const checked: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.')) continue;
    const match = /^(.+)\.zone$/.exec(name) ?? /^db\.(.+)$/.exec(name);
    if (!match) continue;
    await assertNamedCheckzone(match[1]!, join(dir, name));
    checked.push(match[1]!);
  }
  return checked;
}

/** `named-compilezone` / `named-checkzone -D`: the zone as BIND itself prints it. */
export async function bindDump(zone: string, file: string): Promise<string> {
  const result = await runCommand('named-checkzone', ['-D', '-o', '-', zone, file]);
  if (result.code !== 0) throw new Error(`named-checkzone -D ${zone} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}
