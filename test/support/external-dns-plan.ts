import type { Endpoint } from '@dnsgate/plugin-sdk';

/**
 * What ExternalDNS's planner would change, given desired endpoints (after
 * AdjustEndpoints) and current ones (from Records): an update whenever
 * targets differ as sets, a configured TTL (> 0) differs, or any
 * providerSpecific property differs. A non-empty result on the second pass
 * of a reconcile means ExternalDNS would rewrite the same records for ever.
 */
export function planDifferences(desired: Endpoint[], current: Endpoint[]): string[] {
  const key = (e: Endpoint) => `${e.dnsName}|${e.recordType}|${e.setIdentifier ?? ''}`;
  const currentByKey = new Map(current.map((e) => [key(e), e]));
  const differences: string[] = [];
  for (const want of desired) {
    const have = currentByKey.get(key(want));
    if (!have) {
      differences.push(`create ${key(want)}`);
      continue;
    }
    const sorted = (targets: string[]) => JSON.stringify([...targets].sort());
    if (sorted(want.targets) !== sorted(have.targets)) {
      differences.push(`targets of ${key(want)}: ${sorted(have.targets)} → ${sorted(want.targets)}`);
    }
    if ((want.recordTTL ?? 0) > 0 && want.recordTTL !== have.recordTTL) {
      differences.push(`TTL of ${key(want)}: ${have.recordTTL} → ${want.recordTTL}`);
    }
    const properties = (e: Endpoint) =>
      JSON.stringify([...(e.providerSpecific ?? [])].sort((a, b) => a.name.localeCompare(b.name)));
    if (properties(want) !== properties(have)) differences.push(`providerSpecific of ${key(want)}`);
  }
  return differences;
}

/** The TXT records ExternalDNS's TXT registry writes for an endpoint, values with literal quotes. */
export function registryRecords(endpoint: Endpoint, owner = 'default'): Endpoint[] {
  const value = `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/default/${endpoint.dnsName.split('.')[0]}"`;
  const prefix = endpoint.recordType.toLowerCase();
  const [first, ...rest] = endpoint.dnsName.split('.');
  return [{ dnsName: `${prefix}-${first}.${rest.join('.')}`, targets: [value], recordType: 'TXT', labels: {} }];
}
