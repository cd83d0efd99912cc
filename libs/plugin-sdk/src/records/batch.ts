import { describeEndpoint, endpointKey, type Changes, type Endpoint } from '@dnsgate/protocol';
import { ChangeRejectedError } from '../errors/dnsgate-errors.js';

/** Splits `items` into consecutive batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/**
 * Checks a batch against the records that exist, the way ExternalDNS's
 * in-memory provider does: a create of an existing record, an update or
 * delete of a missing one, or the same record twice in one batch rejects the
 * whole batch, before anything is written. Keys are `endpointKey` of
 * endpoints already normalised by the plugin.
 */
export function assertBatchApplicable(changes: Changes, existing: ReadonlySet<string>): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const touch = (endpoint: Endpoint, what: string): void => {
    const key = endpointKey(endpoint);
    if (seen.has(key)) problems.push(`${describeEndpoint(endpoint)} appears twice in one batch (${what})`);
    seen.add(key);
  };
  for (const endpoint of changes.create) {
    touch(endpoint, 'create');
    if (existing.has(endpointKey(endpoint)))
      problems.push(`cannot create ${describeEndpoint(endpoint)}: it already exists`);
  }
  changes.updateOld.forEach((old, index) => {
    const next = changes.updateNew[index];
    touch(old, 'update');
    if (!existing.has(endpointKey(old))) problems.push(`cannot update ${describeEndpoint(old)}: it does not exist`);
    if (next && endpointKey(next) !== endpointKey(old)) {
      problems.push(`update pairs ${describeEndpoint(old)} with a different record, ${describeEndpoint(next)}`);
    }
  });
  for (const endpoint of changes.delete) {
    touch(endpoint, 'delete');
    if (!existing.has(endpointKey(endpoint)))
      problems.push(`cannot delete ${describeEndpoint(endpoint)}: it does not exist`);
  }
  if (problems.length > 0) {
    throw new ChangeRejectedError(`batch rejected, nothing was changed: ${problems.join('; ')}`);
  }
}
