import { isIPv6 } from 'node:net';

/**
 * The canonical text of an IPv6 address, as every plugin reports AAAA
 * targets: lower case, the longest run of zero groups compressed (RFC 5952,
 * as Go's net.IP prints it), an embedded dotted quad written in hex. Undefined
 * for anything that is not a plain IPv6 address (a zone id like `%eth0`
 * included). The WHATWG URL serialiser implements exactly RFC 5952's form.
 */
export function canonicalIpv6(text: string): string | undefined {
  const address = text.trim();
  if (!isIPv6(address) || address.includes('%')) return undefined;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}
