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
  return isInWireForm(endpoint) ? endpoint : buildWireEndpoint(endpoint);
}

/**
 * The JSON of a record set that has no set identifier, labels or
 * provider-specific properties, byte for byte what
 * `JSON.stringify(toWireEndpoint(endpoint))` writes for it (its spec holds
 * the two together), made from the fields: for a plugin that writes a read's
 * answer as it reads, without an object per record set.
 *
 * Made for 100k record sets a read: a name or target JSON would not escape
 * is quoted as it is (JSON.stringify scans and copies it), and the part
 * after the targets is the one made for the set before when type and TTL
 * are the same, as they mostly are in a zone. Measured in CPU profiles of
 * the gateway on the 2-core machine, GET /records of a 100k-record BIND zone
 * answered by serialisedRecords: 13 ms a read instead of 36 ms for
 * JSON.stringify of each string and the whole template each time.
 */
export function recordSetJson(
  dnsName: string,
  targets: readonly string[],
  recordType: string,
  recordTTL: number,
): string {
  let targetsJson = '';
  for (let i = 0; i < targets.length; i++) targetsJson += `${i > 0 ? ',' : ''}${jsonString(targets[i]!)}`;
  const { beforeName, beforeTargets } = RECORD_SET_JSON;
  return `${beforeName}${jsonString(dnsName)}${beforeTargets}${targetsJson}${recordSetJsonEnd(recordType, recordTTL)}`;
}

/**
 * recordSetJson's fixed parts, for a writer that writes a set's name and
 * targets as bytes: beforeName, the name's JSON string, beforeTargets, the
 * targets' JSON strings with commas between, recordSetJsonEnd.
 */
export const RECORD_SET_JSON = { beforeName: '{"dnsName":', beforeTargets: ',"targets":[' } as const;

/** The JSON of a string, as JSON.stringify writes it: quoted as it is where nothing in it is escaped. */
export function jsonString(text: string): string {
  return escapedInJson(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Whether JSON.stringify escapes anything in the text: `"`, a backslash, a control character, a (lone) surrogate. */
function escapedInJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x22 || unit === 0x5c || (unit >= 0xd800 && unit <= 0xdfff)) return true;
  }
  return false;
}

let lastAfterTargets = { recordType: '', ttl: Number.NaN, json: '' };

/** `],"recordType":…,"recordTTL":…}`: the end of a record set's JSON, after its targets. */
export function recordSetJsonEnd(recordType: string, recordTTL: number): string {
  const ttl = Math.trunc(recordTTL);
  if (lastAfterTargets.recordType !== recordType || lastAfterTargets.ttl !== ttl) {
    const ttlJson = ttl > 0 ? `,"recordTTL":${ttl}` : '';
    lastAfterTargets = { recordType, ttl, json: `],"recordType":${JSON.stringify(recordType)}${ttlJson}}` };
  }
  return lastAfterTargets.json;
}

/** toWireEndpoint's object, always a new one (exported for its test only; not in the package's index). */
export function buildWireEndpoint(endpoint: Endpoint): Endpoint {
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

const WIRE_KEY_ORDER = ['dnsName', 'targets', 'recordType', 'setIdentifier', 'recordTTL', 'labels', 'providerSpecific'];

/**
 * Whether toWireEndpoint would build an object with the same keys, in the
 * same order, holding the same values: then the endpoint goes out as it is
 * (a plugin's endpoints nearly always are in that form), one object less for
 * each of 100k endpoints. Only plain objects: a class could serialise
 * differently (toJSON, getters).
 */
function isInWireForm(endpoint: Endpoint): boolean {
  if (Object.getPrototypeOf(endpoint) !== Object.prototype) return false;
  let position = 0;
  for (const key in endpoint) {
    while (position < WIRE_KEY_ORDER.length && WIRE_KEY_ORDER[position] !== key) position++;
    if (position === WIRE_KEY_ORDER.length) return false;
    position++;
  }
  const { targets, setIdentifier, recordTTL, labels, providerSpecific } = endpoint;
  if (typeof endpoint.dnsName !== 'string' || typeof endpoint.recordType !== 'string' || !Array.isArray(targets)) {
    return false;
  }
  if ('setIdentifier' in endpoint && !setIdentifier) return false;
  if ('recordTTL' in endpoint && !(Number.isInteger(recordTTL) && recordTTL! > 0)) return false;
  if ('labels' in endpoint && !(labels && hasAnyKey(labels))) return false;
  if ('providerSpecific' in endpoint && !(Array.isArray(providerSpecific) && providerSpecific.length > 0)) return false;
  return true;
}

function hasAnyKey(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
