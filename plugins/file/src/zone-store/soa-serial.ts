const MAX_SERIAL = 0xffffffff;

/** `YYYYMMDD00` for a date, in UTC. */
export function dateSerial(now: Date): number {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + 1;
  const d = now.getUTCDate();
  return (y * 10_000 + m * 100 + d) * 100;
}

/**
 * The next SOA serial: today's `YYYYMMDDnn` when that is ahead of the old
 * one, else the old one plus 1, so it always increases (RFC 1982) and
 * secondaries always notice, even after 100 changes in one day or with a
 * hand-set serial of another scheme.
 */
export function nextSerial(old: number, now = new Date()): number {
  const byDate = dateSerial(now);
  if (byDate > old && byDate <= MAX_SERIAL) return byDate;
  // Serial arithmetic wraps at 2^32: 0 follows 4294967295 and still counts as newer.
  return old >= MAX_SERIAL ? 0 : old + 1;
}
