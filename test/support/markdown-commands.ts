import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The ```sh blocks of the section of a Markdown file whose `## ` heading
 * starts with `heading`, in order: the commands a test runs exactly as a
 * reader would.
 */
export function shellBlocks(root: string, markdownFile: string, heading: string): string[] {
  const lines = readFileSync(join(root, markdownFile), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`${markdownFile} has no heading "${heading}"`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^## /.test(line));
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n');
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}
