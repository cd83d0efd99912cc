/**
 * The largest TTL a DNS record can hold (RFC 2181, section 8: 2^31 - 1).
 * ExternalDNS carries a TTL as a Go int64, so a DNSEndpoint may ask for
 * anything up to 9223372036854775807; every backend holds at most this.
 */
export const MAX_RECORD_TTL = 2_147_483_647;

/**
 * A wire TTL as the backend will hold it: above the DNS maximum it is the
 * maximum, and 0 or below is "unset" (ExternalDNS only plans a TTL change for
 * a TTL greater than 0). JSON.parse has already rounded anything past 2^53,
 * which is harmless because all such values clamp to the same maximum.
 */
export function normalizeRecordTtl(ttl: number | null | undefined): number | undefined {
  if (ttl === null || ttl === undefined || !(ttl > 0)) return undefined;
  return ttl > MAX_RECORD_TTL ? MAX_RECORD_TTL : ttl;
}
