import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Jest global setup: make sure the real DNS servers the tests start are installed. */
export default function globalSetup(): void {
  const script = fileURLToPath(new URL('./install-dns-servers.sh', import.meta.url));
  execFileSync('bash', [script], { stdio: 'inherit' });
}
