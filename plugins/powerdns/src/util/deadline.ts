/** A point in time an operation must finish by; each backend call takes what is left, capped. */
export class Deadline {
  private constructor(readonly expiresAt: number) {}

  static in(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  /** A deadline no later than this one and at most `ms` from now. */
  cap(ms: number): Deadline {
    return new Deadline(Math.min(this.expiresAt, Date.now() + ms));
  }
}
