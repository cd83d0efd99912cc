import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Jest global setup: make sure the real servers and tools the tests start are
 * installed (DNS servers; podman and Prometheus for test/shipping).
 */
export default function globalSetup(): void {
  for (const script of ['./install-dns-servers.sh', './install-shipping-tools.sh']) {
    execFileSync('bash', [fileURLToPath(new URL(script, import.meta.url))], { stdio: 'inherit' });
  }
}
