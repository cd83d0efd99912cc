/**
 * The sum of a metric's samples whose labels include these, from the
 * Prometheus text of a running dnsgate's /metrics.
 */
export async function scrapedMetric(
  healthUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z0-9_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([key, value]) => sample.get(key) === value)) sum += Number(match[3]);
  }
  return sum;
}
