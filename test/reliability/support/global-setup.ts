import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Installs the servers (the e2e ones, plus PostgreSQL and pdns-backend-pgsql), and makes the results directory. */
export default function globalSetup(): void {
  const script = fileURLToPath(new URL('../../setup/install-reliability-servers.sh', import.meta.url));
  execFileSync('bash', [script], { stdio: 'inherit' });
  process.env.DNSGATE_RELIABILITY_RESULTS ??= mkdtempSync(join(tmpdir(), 'dnsgate-reliability-'));
}
