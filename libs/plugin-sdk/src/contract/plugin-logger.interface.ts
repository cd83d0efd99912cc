/**
 * The logger a plugin gets. Messages pass through the gateway's secret
 * redaction, but never put a secret in one in the first place.
 */
export interface PluginLogger {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
