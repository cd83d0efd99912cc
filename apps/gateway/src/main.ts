#!/usr/bin/env node
import { ConfigError } from '@dnsgate/plugin-sdk';
import { startDnsgate, type RunningDnsgate } from './bootstrap.js';
import { parseCommandLine, runCommand } from './cli/command-line.js';
import { limitHeapGrowth } from './runtime/heap-growth.js';

/**
 * `node apps/gateway/dist/main.js` (the image's CMD; `npm start` builds
 * first): every setting comes from `DNSGATE_*` variables, so the same
 * command runs dnsgate by hand, in tests and in a container.
 */
async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2));
  if (command.kind !== 'start') {
    process.exitCode = await runCommand(command, process.env);
    return;
  }
  limitHeapGrowth();
  let running: RunningDnsgate;
  try {
    running = await startDnsgate({ env: process.env });
  } catch (error) {
    // A configuration error is the operator's to fix: say what, without a stack trace.
    const message = error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`dnsgate cannot start: ${message}\n`);
    process.exit(1);
  }

  const shutdown = (signal: string): void => {
    process.stderr.write(`dnsgate: ${signal} received, shutting down\n`);
    const timer = setTimeout(() => {
      process.stderr.write('dnsgate: requests in flight did not finish in time, exiting\n');
      process.exit(1);
    }, running.shutdownTimeoutMs);
    timer.unref();
    running.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`dnsgate: shutdown failed: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
