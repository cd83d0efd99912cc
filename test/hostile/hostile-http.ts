import { WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';

/** A POST as ExternalDNS sends it, with a body given as raw text (to send what JSON.stringify cannot). */
export async function postRaw(
  baseUrl: string,
  path: string,
  body: string | Buffer,
): Promise<{ status: number; text: string; bytes: number }> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, bytes: Buffer.byteLength(text) };
}

/** `[item,item,…]` of `count` items, built without holding an array of them. */
export function repeatedJsonArray(item: string, count: number): string {
  return `[${`${item},`.repeat(count - 1)}${item}]`;
}

/** A metric's value from a Prometheus text page, summed over series whose labels include `labels`. */
export async function metricSum(healthUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
