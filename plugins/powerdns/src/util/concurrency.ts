/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns the
 * settled results in input order. Never rejects: each item's outcome is kept.
 */
export async function settleWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index]!, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
  await Promise.all(workers);
  return results;
}

/**
 * Starts `fn` over `items` with at most `limit` calls in flight, and returns
 * at once one promise per item, in input order, each settling with that
 * item's outcome (never rejecting). The calls go on whether or not anyone
 * waits on the promises yet: a caller reads the results in order while the
 * later ones are still being computed.
 */
export function readAhead<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>>[] {
  const settle: Array<(result: PromiseSettledResult<R>) => void> = [];
  const results = items.map(() => new Promise<PromiseSettledResult<R>>((resolve) => settle.push(resolve)));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        settle[index]!({ status: 'fulfilled', value: await fn(items[index]!) });
      } catch (reason) {
        settle[index]!({ status: 'rejected', reason });
      }
    }
  };
  for (let i = 0; i < Math.min(limit, items.length); i++) void worker();
  return results;
}
