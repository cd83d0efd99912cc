import type { EndpointDto } from './endpoint.dto.js';

/**
 * A quick structural check that accepts only endpoints EndpointDto's
 * class-validator rules accept. ExternalDNS sends thousands of well-formed
 * endpoints per call and class-validator was most of the gateway's cost on
 * them, so a well-formed endpoint passes here; anything this refuses goes to
 * class-validator, which stays the authority and names each bad field.
 * `endpoint-quick-check.spec.ts` checks by property that nothing accepted
 * here is refused there.
 */
export function passesEndpointRulesQuickly(dto: EndpointDto): boolean {
  if (typeof dto.dnsName !== 'string' || dto.dnsName === '') return false;
  if (typeof dto.recordType !== 'string' || dto.recordType === '') return false;
  const { targets, setIdentifier, recordTTL, labels, providerSpecific } = dto;
  if (targets !== undefined && targets !== null) {
    if (!Array.isArray(targets)) return false;
    for (const target of targets) if (typeof target !== 'string') return false;
  }
  if (setIdentifier !== undefined && setIdentifier !== null && typeof setIdentifier !== 'string') return false;
  if (recordTTL !== undefined && recordTTL !== null) {
    if (typeof recordTTL !== 'number' || !Number.isInteger(recordTTL)) return false;
  }
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) return false;
    for (const value of Object.values(labels)) if (typeof value !== 'string') return false;
  }
  if (providerSpecific !== undefined && providerSpecific !== null) {
    if (!Array.isArray(providerSpecific)) return false;
    for (const property of providerSpecific as unknown[]) {
      if (property === null || typeof property !== 'object' || Array.isArray(property)) return false;
      const { name, value } = property as { name?: unknown; value?: unknown };
      if (typeof name !== 'string') return false;
      if (value !== undefined && value !== null && typeof value !== 'string') return false;
    }
  }
  return true;
}
