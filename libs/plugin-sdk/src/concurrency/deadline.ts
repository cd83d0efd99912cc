/**
 * The point in time a webhook call must be answered by, and the signal that
 * fires then. The gateway makes one per call (DNSGATE_REQUEST_TIMEOUT) and
 * hands it to the plugin: each backend request takes what is left, capped by
 * its own timeout, and no new backend work starts once it has expired.
 */
export class Deadline {
  private constructor(
    readonly expiresAt: number,
    readonly signal: AbortSignal,
  ) {}

  /** `ms` from now; also fires when `parent` does. */
  static in(ms: number, parent?: AbortSignal): Deadline {
    const timer = AbortSignal.timeout(Math.max(0, ms));
    return new Deadline(Date.now() + ms, parent ? AbortSignal.any([parent, timer]) : timer);
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  get expired(): boolean {
    return this.signal.aborted || Date.now() >= this.expiresAt;
  }

  /** A deadline no later than this one and at most `ms` from now. */
  cap(ms: number): Deadline {
    if (Date.now() + ms >= this.expiresAt) return this;
    return Deadline.in(ms, this.signal);
  }
}
