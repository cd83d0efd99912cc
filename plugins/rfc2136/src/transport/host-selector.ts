import { isIPv6 } from 'node:net';

export interface DnsHost {
  host: string;
  port: number;
  /** As configured, e.g. `127.0.0.1:5353` or `[::1]:53`. */
  address: string;
}

/** Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address; undefined when malformed. */
export function parseHost(text: string): DnsHost | undefined {
  const value = text.trim();
  let host: string;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    host = bracketed[1]!;
    if (!isIPv6(host)) return undefined;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIPv6(value)) {
    host = value;
  } else {
    const match = /^([A-Za-z0-9.\-_]+)(?::(\d+))?$/.exec(value);
    if (!match) return undefined;
    host = match[1]!;
    if (match[2] !== undefined) port = Number(match[2]);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port, address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

export type SelectionMode = 'failover' | 'round-robin' | 'random';

/**
 * The order in which to try the servers for one operation: `failover`
 * always starts with the first, `round-robin` with the next one in turn,
 * `random` with any; each then falls back to the others in configured order.
 */
export class HostSelector {
  private next = 0;

  constructor(
    readonly hosts: readonly DnsHost[],
    private readonly mode: SelectionMode,
    private readonly random: () => number = Math.random,
  ) {
    if (hosts.length === 0) throw new Error('no DNS servers configured');
  }

  order(): DnsHost[] {
    let start = 0;
    if (this.mode === 'round-robin') {
      start = this.next;
      this.next = (this.next + 1) % this.hosts.length;
    } else if (this.mode === 'random') {
      start = Math.floor(this.random() * this.hosts.length) % this.hosts.length;
    }
    return [...this.hosts.slice(start), ...this.hosts.slice(0, start)];
  }
}
