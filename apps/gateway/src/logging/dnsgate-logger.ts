import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { LogLevelName } from '../config/gateway.options.js';
import { escapeLogText, escapeStackTrace } from './log-escape.js';
import type { SecretRedactor } from './secret-redactor.js';

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Nest's console logger, with dnsgate's level names and every line passed
 * through the redactor, then escaped: messages carry names and values from
 * requests, and a line break in one must never print a second, forged line.
 */
export class DnsgateLogger extends ConsoleLogger {
  constructor(
    private readonly secrets: SecretRedactor,
    level: LogLevelName,
    format: 'text' | 'json',
  ) {
    super('dnsgate', { logLevels: NEST_LEVELS[level], json: format === 'json', colors: false });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(
      messages.map((message) => this.scrub(message)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? escapeStackTrace(this.secrets.redact(errorStack)) : errorStack,
      params,
    );
  }

  private scrub(message: unknown): unknown {
    if (typeof message === 'string') return escapeLogText(this.secrets.redact(message));
    if (message instanceof Error) return escapeLogText(this.secrets.redact(message.message));
    // Nest prints an object over several lines; as one escaped JSON line it cannot forge another.
    if (message !== null && typeof message === 'object') {
      return escapeLogText(this.secrets.redact(JSON.stringify(message) ?? String(message)));
    }
    return message;
  }
}
