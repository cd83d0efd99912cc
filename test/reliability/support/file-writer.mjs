// A file-plugin writer for the crash-safety run: applies large batches to one
// zone for ever and prints `ack <i>` once batch i has been applied (when the
// gateway would answer 204). The parent SIGKILLs it at random points.
// Usage: node file-writer.mjs <dir> <zone> <prefix> <first batch> <records per batch> [<last batch>]
// Batch i creates <prefix><i>-0 … <prefix><i>-<n-1> and deletes batch i-1's.
import { FilePlugin } from '@dnsgate/plugin-file';
import { createPluginMetrics } from '@dnsgate/plugin-sdk';
import { drivePlugin } from '@dnsgate/plugin-sdk/testkit';
import { Registry } from 'prom-client';

const [dir, zone, prefix, first, size, last] = process.argv.slice(2);
const perBatch = Number(size);
const quiet = () => undefined;
const plugin = new FilePlugin(
  { dir, zones: [zone], defaultTtl: 300, nameservers: ['localhost'], lockTimeoutMs: 30_000 },
  {
    pluginName: 'file',
    instanceName: 'file',
    optionPrefix: 'DNSGATE_FILE_',
    metrics: createPluginMetrics(new Registry(), 'file'),
    logger: { debug: quiet, log: quiet, warn: quiet, error: (m) => process.stderr.write(`${m}\n`) },
  },
);

const batch = (i) =>
  i < 0
    ? []
    : Array.from({ length: perBatch }, (_, n) => ({
        dnsName: `${prefix}${i}-${n}.${zone}`,
        targets: [`10.${(i >> 8) & 255}.${i & 255}.${n % 250}`],
        recordType: 'A',
        recordTTL: 60,
      }));

await plugin.start();
// Driven as the gateway drives it: the SDK's batch pipeline, whose report must be complete for an ack.
const driver = drivePlugin(plugin);
process.stdout.write('ready\n');
for (let i = Number(first); last === undefined || i <= Number(last); i++) {
  await driver.applyChanges({ create: batch(i), delete: batch(i - 1) });
  process.stdout.write(`ack ${i}\n`);
}
