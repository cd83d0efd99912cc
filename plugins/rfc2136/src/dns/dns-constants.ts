/** Numbers from the DNS registries that dnsgate's RFC 2136 code uses. */
export const CLASS_IN = 1;
export const CLASS_NONE = 254;
export const CLASS_ANY = 255;

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  CAA: 257,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const OPCODE_QUERY = 0;
export const OPCODE_UPDATE = 5;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
} as const;

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([name, code]) => [code, name]));

export function rcodeName(code: number): string {
  return RCODE_NAMES.get(code) ?? `RCODE${code}`;
}

/**
 * What an rcode (or a TSIG error) means for an UPDATE or a transfer, in
 * words an operator can act on. Never mentions a secret.
 */
export function rcodeMeaning(code: number, keyName?: string): string {
  const key = keyName ? `TSIG key "${keyName}"` : 'the TSIG key';
  switch (code) {
    case RCODE.FORMERR:
      return 'the server could not parse the message';
    case RCODE.SERVFAIL:
      return 'the server failed to process it (see the server log)';
    case RCODE.NXDOMAIN:
      return 'a name that had to exist does not';
    case RCODE.NOTIMP:
      return 'the server does not implement this operation';
    case RCODE.REFUSED:
      return 'the server refused it (is the key allowed by allow-update / allow-transfer or update-policy for this zone, is the server primary for it, and do the records pass its checks, e.g. an in-zone MX target needs an address record?)';
    case RCODE.YXDOMAIN:
      return 'a name that must not exist does';
    case RCODE.YXRRSET:
      return 'a record set to be created already exists';
    case RCODE.NXRRSET:
      return 'a record set to be updated or deleted does not exist';
    case RCODE.NOTAUTH:
      return 'the server is not authoritative for the zone or rejected the TSIG key';
    case RCODE.NOTZONE:
      return 'a name is outside the zone';
    case RCODE.BADSIG:
      return `the server rejected ${key}: the signature did not verify (wrong secret?)`;
    case RCODE.BADKEY:
      return `the server rejected ${key}: it does not know this key name with this algorithm`;
    case RCODE.BADTIME:
      return `the server rejected ${key}: the clocks differ by more than the fudge`;
    case RCODE.BADTRUNC:
      return `the server rejected ${key}: truncated MAC`;
    case RCODE.BADALG:
      return `the server rejected ${key}: unknown algorithm`;
    default:
      return `the server answered ${rcodeName(code)}`;
  }
}
