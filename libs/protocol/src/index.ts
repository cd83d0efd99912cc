export * from './media-type.js';
// Explicit where a module also exports helpers for its own tests.
export {
  EXTERNAL_DNS_RECORD_TYPES,
  describeEndpoint,
  endpointKey,
  RECORD_SET_JSON,
  jsonString,
  recordSetJson,
  recordSetJsonEnd,
  toWireEndpoint,
  type Endpoint,
  type ExternalDnsRecordType,
  type ProviderSpecificProperty,
} from './endpoint.js';
export * from './changes.js';
export * from './dns-name.js';
export * from './domain-filter.js';
export * from './dto/endpoint.dto.js';
export * from './dto/wire-keys.js';
export { CHANGES_KEYS, WireValidationError, parseChangesBody, parseEndpointsBody } from './dto/parse-wire.js';
export { MAX_RECORD_TTL, normalizeRecordTtl } from './dto/record-ttl.js';
export { MAX_WIRE_DEPTH, scanWireBody, type WireBodyKind, type WireBodyScan } from './dto/wire-body-scan.js';
export { toALabels, toULabels } from './idn.js';
export { lowerCased, upperCased } from './text-case.js';
