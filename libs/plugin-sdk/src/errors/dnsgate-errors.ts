/**
 * The errors a plugin throws. Each carries the HTTP status the gateway
 * answers with. ExternalDNS retries a 500–510 at its next reconcile and exits
 * on anything else, so every error a plugin can raise at run time is a 5xx.
 */
export abstract class DnsgateError extends Error {
  abstract readonly statusCode: number;
  /** A short stable word for metrics and logs. */
  abstract readonly kind: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The backend could not be reached (connection refused, DNS failure, TLS error). */
export class BackendUnavailableError extends DnsgateError {
  override readonly name: string = 'BackendUnavailableError';
  readonly statusCode = 503;
  readonly kind = 'unavailable';
}

/** The backend did not answer within the plugin's time budget. */
export class BackendTimeoutError extends DnsgateError {
  override readonly name: string = 'BackendTimeoutError';
  readonly statusCode = 504;
  readonly kind = 'timeout';
}

/** The backend answered, but with a failure (a 5xx, SERVFAIL, a rejected key). */
export class BackendError extends DnsgateError {
  override readonly name: string = 'BackendError';
  readonly statusCode = 502;
  readonly kind = 'backend';
}

/**
 * The batch cannot be applied as it stands (a create of a record that exists,
 * an update of one that does not, a record the backend cannot hold). Nothing
 * was changed; ExternalDNS recomputes its plan and tries again.
 */
export class ChangeRejectedError extends DnsgateError {
  override readonly name: string = 'ChangeRejectedError';
  readonly statusCode = 500;
  readonly kind = 'rejected';
}

/**
 * The backend refused a group of changes as a whole because of their data
 * (an RFC 2136 UPDATE answered REFUSED or YXRRSET, a PowerDNS PATCH answered
 * 422). The batch pipeline splits the group to find the change(s)
 * responsible and applies the rest. A refusal that is not about the data (a
 * key not allowed to update, a zone the server does not serve) is a
 * BackendError instead: splitting would not help.
 */
export class GroupRefusedError extends DnsgateError {
  override readonly name: string = 'GroupRefusedError';
  readonly statusCode = 500;
  readonly kind = 'refused';

  constructor(
    message: string,
    options?: {
      cause?: unknown;
      /** Indexes into the refused part of the changes the backend's message names, to try apart first. */
      suspects?: readonly number[];
    },
  ) {
    super(message, options);
    this.suspects = options?.suspects ?? [];
  }

  readonly suspects: readonly number[];
}

/** The call's deadline (DNSGATE_REQUEST_TIMEOUT) passed before the plugin answered. */
export class DeadlineExceededError extends DnsgateError {
  override readonly name: string = 'DeadlineExceededError';
  readonly statusCode = 504;
  readonly kind = 'deadline';
}

/** The plugin has not started or lost its backend; the reason says why. */
export class PluginNotReadyError extends DnsgateError {
  override readonly name: string = 'PluginNotReadyError';
  readonly statusCode = 503;
  readonly kind = 'not_ready';
}

/** Configuration from the environment is missing or invalid: the gateway refuses to boot. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(
    /** What was being configured, e.g. `dnsgate` or `plugin "powerdns"`. */
    readonly subject: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${subject}:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A plugin's options are missing or invalid. */
export class PluginConfigError extends ConfigError {
  override readonly name: string = 'PluginConfigError';
  constructor(
    readonly pluginName: string,
    problems: string[],
  ) {
    super(`plugin "${pluginName}"`, problems);
  }
}

export function isDnsgateError(error: unknown): error is DnsgateError {
  return (
    error instanceof Error &&
    typeof (error as DnsgateError).statusCode === 'number' &&
    typeof (error as DnsgateError).kind === 'string'
  );
}
