/**
 * DNS names are compared case-insensitively and without the root's trailing
 * dot; every name that enters dnsgate passes through here once.
 */
export function normalizeDnsName(name: string): string {
  const trimmed = name.trim().toLowerCase();
  return trimmed.endsWith('.') && trimmed.length > 1 ? trimmed.slice(0, -1) : trimmed;
}

/** True when `name` is `domain` itself or below it, on a label boundary. */
export function isWithinDomain(name: string, domain: string): boolean {
  const n = normalizeDnsName(name);
  const d = normalizeDnsName(domain);
  if (d === '' || d === '.') return true;
  return n === d || n.endsWith(`.${d}`);
}

/**
 * The zone that holds `name`: the longest of `zones` that `name` is within on
 * a label boundary (so `myexample.com` never lands in `example.com`).
 */
export function findZone(name: string, zones: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if (isWithinDomain(name, zone) && (best === undefined || normalizeDnsName(zone).length > best.length)) {
      best = normalizeDnsName(zone);
    }
  }
  return best;
}

/** `name` written relative to the root, with the trailing dot. */
export function toFqdn(name: string): string {
  const n = normalizeDnsName(name);
  return n === '' || n === '.' ? '.' : `${n}.`;
}

/**
 * `findZone` for many lookups against the same zones: a name is matched by
 * walking its label suffixes through a set, so the cost grows with the
 * name's length, not with the number of zones.
 */
export class ZoneIndex {
  private readonly zones: Set<string>;

  constructor(zones: Iterable<string>) {
    this.zones = new Set([...zones].map(normalizeDnsName));
  }

  get size(): number {
    return this.zones.size;
  }

  /**
   * Whether some zone holds `name`: `find(name) !== undefined`, cheaper for
   * the long runs of names of one zone a read reports. A name without a
   * trailing dot that ends in `.zone` (or is the zone) for a zone of the
   * index is held whatever its case or leading space, as `find` would say
   * after normalising it; so the zone of the last hit is tried first, with no
   * copy of the name made.
   */
  holds(name: string): boolean {
    const last = this.lastHit;
    // A trailing dot is stripped by normalising, which can move the name off that zone ('a.' of a zone 'a..').
    if (last !== undefined && last !== '' && name.charCodeAt(name.length - 1) !== 46 /* . */) {
      if (name === last) return true;
      const start = name.length - last.length;
      if (start > 0 && name.charCodeAt(start - 1) === 46 /* . */ && name.endsWith(last)) return true;
    }
    const zone = this.find(name);
    if (zone === undefined) return false;
    this.lastHit = zone;
    return true;
  }

  private lastHit?: string;

  /** The longest zone that holds `name`, on a label boundary. */
  find(name: string): string | undefined {
    let candidate = normalizeDnsName(name);
    for (;;) {
      if (this.zones.has(candidate)) return candidate;
      const dot = candidate.indexOf('.');
      if (dot < 0) return this.zones.has('') ? '' : undefined;
      candidate = candidate.slice(dot + 1);
    }
  }
}
