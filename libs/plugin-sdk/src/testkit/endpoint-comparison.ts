import { endpointKey, type Endpoint } from '@dnsgate/protocol';

/**
 * What ExternalDNS's plan looks at when it compares a desired endpoint with
 * a current one: identity, targets (as a set), a TTL above 0 and the
 * provider-specific properties. Labels are left out: they belong to the TXT
 * registry, not to the backend.
 */
export interface ComparableEndpoint {
  dnsName: string;
  recordType: string;
  setIdentifier: string;
  targets: string[];
  recordTTL: number;
  providerSpecific: Array<{ name: string; value: string }>;
}

export function comparableEndpoint(endpoint: Endpoint): ComparableEndpoint {
  return {
    dnsName: endpoint.dnsName,
    recordType: endpoint.recordType,
    setIdentifier: endpoint.setIdentifier ?? '',
    targets: [...endpoint.targets].sort(),
    recordTTL: endpoint.recordTTL && endpoint.recordTTL > 0 ? endpoint.recordTTL : 0,
    providerSpecific: (endpoint.providerSpecific ?? [])
      .map((p) => ({ name: p.name, value: p.value ?? '' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** Endpoints in a stable order and comparable form, so `toEqual` shows a readable diff. */
export function comparableEndpoints(endpoints: readonly Endpoint[]): ComparableEndpoint[] {
  return endpoints.map(comparableEndpoint).sort((a, b) => {
    const ka = endpointKey(a);
    const kb = endpointKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** `base` with `changed` laid over it by endpoint key, and `removed` keys taken out. */
export function overlay(
  base: readonly Endpoint[],
  changed: readonly Endpoint[],
  removed: readonly Endpoint[] = [],
): Endpoint[] {
  const byKey = new Map(base.map((e) => [endpointKey(e), e]));
  for (const e of removed) byKey.delete(endpointKey(e));
  for (const e of changed) byKey.set(endpointKey(e), e);
  return [...byKey.values()];
}
