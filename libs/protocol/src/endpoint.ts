/** A provider-specific property, e.g. `{name: "webhook/foo", value: "bar"}`. */
export interface ProviderSpecificProperty {
  name: string;
  value?: string;
}

/**
 * One DNS record set as ExternalDNS sees it. Identified by
 * (dnsName, recordType, setIdentifier).
 */
export interface Endpoint {
  dnsName: string;
  targets: string[];
  recordType: string;
  setIdentifier?: string;
  /** Whole seconds; 0 or absent means unset. */
  recordTTL?: number;
  labels?: Record<string, string>;
  providerSpecific?: ProviderSpecificProperty[];
}

/** The record types ExternalDNS may send. */
export const EXTERNAL_DNS_RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'SRV',
  'NS',
  'PTR',
  'MX',
  'NAPTR',
  'DNAME',
] as const;

export type ExternalDnsRecordType = (typeof EXTERNAL_DNS_RECORD_TYPES)[number];

/** The identity of an endpoint: two endpoints with the same key are the same record set. */
export function endpointKey(endpoint: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${endpoint.dnsName}|${endpoint.recordType}|${endpoint.setIdentifier ?? ''}`;
}

/** A readable name for an endpoint in log lines and error messages. */
export function describeEndpoint(endpoint: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  const id = endpoint.setIdentifier ? ` (set ${endpoint.setIdentifier})` : '';
  return `${endpoint.recordType} ${endpoint.dnsName}${id}`;
}

/**
 * The endpoint as it goes on the wire: keys in ExternalDNS's order, empty ones
 * left out, the TTL a whole number (a float would break Go's decoder). It
 * shares the arrays and maps of `endpoint` rather than copying them: it is
 * made to be serialised at once, and the copies were most of the cost of
 * answering a 100k-record read.
 */
export function toWireEndpoint(endpoint: Endpoint): Endpoint {
  const wire: Endpoint = {
    dnsName: endpoint.dnsName,
    targets: endpoint.targets,
    recordType: endpoint.recordType,
  };
  if (endpoint.setIdentifier) wire.setIdentifier = endpoint.setIdentifier;
  const ttl = Math.trunc(endpoint.recordTTL ?? 0);
  if (ttl > 0) wire.recordTTL = ttl;
  if (endpoint.labels) {
    for (const _ in endpoint.labels) {
      wire.labels = endpoint.labels;
      break;
    }
  }
  if (endpoint.providerSpecific && endpoint.providerSpecific.length > 0) {
    wire.providerSpecific = endpoint.providerSpecific;
  }
  return wire;
}
