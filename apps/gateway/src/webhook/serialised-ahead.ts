import { toWireEndpoint, type EarlyEndpoints, type Endpoint } from '@dnsgate/plugin-sdk';
import { JSON_COMMA, JSON_SLICE_ITEMS, SerialisedItems, type JsonArrayPart } from './json-array.stream.js';

/** A batch handed over: the endpoints as they were handed, and their JSON made then. */
interface HandedBatch {
  readonly endpoints: readonly Endpoint[];
  readonly items: SerialisedItems;
}

/**
 * The answer's JSON made while the plugin still reads (EarlyEndpoints): each
 * batch a plugin hands over is serialised at once, so the event loop does it
 * while it would otherwise wait for the backend's next message, and the
 * answer is mostly bytes by the time the read returns.
 *
 * The read's result decides: `partsOf` takes a batch's bytes only where the
 * result holds the batch's very objects, in its order, and serialises
 * everything else then, as if nothing had been handed over.
 * Measured on the 2-core machine, GET /records without the records cache:
 * of a 100k-record BIND zone, two gateways on one BIND read alternately by
 * one keep-alive client, 0.84–0.87× the time of the build before (curl saw
 * the last byte 5–20 ms after the first instead of 60–100 ms); of 100k
 * records in 100 PowerDNS zones, the gateway's part after the plugin's read
 * 230 → 109 ms (medians of 9, bench/powerdns.bench.ts).
 */
export class SerialisedAhead implements EarlyEndpoints {
  /** By the batch's first endpoint: where a batch starts is all `partsOf` looks up. */
  private readonly batches = new Map<Endpoint, HandedBatch>();

  take(endpoints: readonly Endpoint[]): void {
    if (endpoints.length === 0) return;
    // A copy: the plugin's array may be reused; the objects may not change (the contract's rule).
    const handed = endpoints.slice();
    let items: SerialisedItems;
    try {
      items = serialise(handed);
    } catch {
      // Left to be serialised when sent, where the same failure is the answer's, not the plugin's read's.
      return;
    }
    this.batches.set(handed[0]!, { endpoints: handed, items });
  }

  /** How many batches were handed over (for the specs and the metrics of a read). */
  get batchCount(): number {
    return this.batches.size;
  }

  /**
   * The JSON array parts of `endpoints` (the read's result, after the scope's
   * filter): the handed batches' bytes wherever the result holds a batch
   * whole, at its place; the rest as wire endpoints, serialised when sent.
   */
  partsOf(endpoints: readonly Endpoint[]): JsonArrayPart[] {
    const parts: JsonArrayPart[] = [];
    let unserialisedFrom = 0;
    let at = 0;
    while (at < endpoints.length) {
      const batch = this.batches.size > 0 ? this.batches.get(endpoints[at]!) : undefined;
      if (!batch || !holdsAt(endpoints, at, batch.endpoints)) {
        at++;
        continue;
      }
      if (unserialisedFrom < at) parts.push(endpoints.slice(unserialisedFrom, at).map(toWireEndpoint));
      parts.push(batch.items);
      at += batch.endpoints.length;
      unserialisedFrom = at;
    }
    if (unserialisedFrom < endpoints.length) parts.push(endpoints.slice(unserialisedFrom).map(toWireEndpoint));
    return parts;
  }
}

/** Whether `list` holds the objects of `batch`, in order, from index `at`. */
function holdsAt(list: readonly Endpoint[], at: number, batch: readonly Endpoint[]): boolean {
  if (at + batch.length > list.length) return false;
  for (let i = 0; i < batch.length; i++) if (list[at + i] !== batch[i]) return false;
  return true;
}

/** A batch's JSON without the array's brackets, a slice of items per chunk (as JsonArrayStream makes them). */
function serialise(endpoints: readonly Endpoint[]): SerialisedItems {
  const chunks: Buffer[] = [];
  for (let start = 0; start < endpoints.length; start += JSON_SLICE_ITEMS) {
    const slice = endpoints.slice(start, start + JSON_SLICE_ITEMS);
    const json = Buffer.from(JSON.stringify(slice.map(toWireEndpoint)));
    // `[a,b]`: its `[` becomes the join to the slice before, its `]` is cut off (one copy, as pushSlice).
    if (start === 0) chunks.push(json.subarray(1, json.length - 1));
    else {
      json[0] = JSON_COMMA[0]!;
      chunks.push(json.subarray(0, json.length - 1));
    }
  }
  return new SerialisedItems(chunks, endpoints.length);
}
