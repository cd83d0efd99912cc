import {
  BackendError,
  DnsgateError,
  assertBatchApplicable,
  endpointKey,
  normalizeDnsName,
  type Changes,
  type Endpoint,
} from '@dnsgate/plugin-sdk';
import {
  conformanceChecks,
  createTestPluginContext,
  runConformanceCheck,
  type ConformanceCheck,
  type PluginConformanceOptions,
} from '@dnsgate/plugin-sdk/testkit';
import { MemoryPlugin, MemoryPluginOptions } from '../support/memory-plugin.js';

/**
 * The suite is only worth running if it fails for the bugs it names. Each
 * case here is the memory plugin with one such bug; the matching check must
 * fail on it (and passes on the sound plugin, in memory-plugin.conformance).
 */

type Variant = new (options: MemoryPluginOptions, context: ReturnType<typeof createTestPluginContext>) => MemoryPlugin;

function options(variant: Variant, extra: Partial<PluginConformanceOptions> = {}): PluginConformanceOptions {
  return {
    name: variant.name,
    recordTypes: ['A', 'TXT'],
    defaultTtl: 300,
    numRuns: 10,
    setup: async () => {
      const plugin = new variant(
        Object.assign(new MemoryPluginOptions(), { zones: ['example.com', 'example.org'] }),
        createTestPluginContext('memory'),
      );
      plugin.reportOutsideZones = false;
      return { plugin, zones: ['example.com', 'example.org'] };
    },
    ...extra,
  };
}

function check(opts: PluginConformanceOptions, namePart: string): ConformanceCheck {
  const found = conformanceChecks(opts).find((candidate) => candidate.name.includes(namePart));
  if (!found) throw new Error(`no check named like "${namePart}"`);
  return found;
}

class SoundPlugin extends MemoryPlugin {}

class LeakyPlugin extends MemoryPlugin {
  override async records(): Promise<Endpoint[]> {
    return [...this.store.values()];
  }
}

/** Reports a default TTL that AdjustEndpoints never announced: ExternalDNS would rewrite it for ever. */
class TtlDriftPlugin extends MemoryPlugin {
  override async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const adjusted = await super.adjustEndpoints(endpoints);
    return adjusted.map((e, i) => ({ ...e, recordTTL: endpoints[i]!.recordTTL }));
  }
}

/** Keeps names as sent, while Records reports them lower case. */
class CaseKeepingPlugin extends MemoryPlugin {
  override async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const adjusted = await super.adjustEndpoints(endpoints);
    return adjusted.map((e, i) => ({ ...e, dnsName: endpoints[i]!.dnsName }));
  }
}

/** Writes each record as it checks it, so a bad record halfway leaves the first ones behind. */
class WriteAsYouGoPlugin extends MemoryPlugin {
  override async applyChanges(changes: Changes): Promise<void> {
    for (const endpoint of changes.create) {
      const e = { ...endpoint, dnsName: normalizeDnsName(endpoint.dnsName), recordTTL: endpoint.recordTTL || 300 };
      assertBatchApplicable({ create: [e], updateOld: [], updateNew: [], delete: [] }, new Set(this.store.keys()));
      this.store.set(endpointKey(e), e);
    }
    await super.applyChanges({ ...changes, create: [] });
  }
}

/** Checks the batch, waits on "the backend", then writes: two batches at once both pass the check. */
class InterleavingPlugin extends MemoryPlugin {
  override async applyChanges(changes: Changes): Promise<void> {
    const normalized = { ...changes, create: changes.create.map((e) => ({ ...e, recordTTL: e.recordTTL || 300 })) };
    assertBatchApplicable(normalized, new Set(this.store.keys()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const endpoint of normalized.create) this.store.set(endpointKey(endpoint), endpoint);
    for (const endpoint of normalized.delete) this.store.delete(endpointKey(endpoint));
    for (const endpoint of normalized.updateNew) this.store.set(endpointKey(endpoint), endpoint);
  }
}

/** Keeps every record type, though it claims only A and TXT. */
class GreedyPlugin extends MemoryPlugin {}

describe('the conformance suite fails a plugin that', () => {
  it('passes the sound memory plugin through the checks used below (control)', async () => {
    const sound = options(SoundPlugin);
    for (const part of [
      'round trip for A',
      'normalises names',
      'requested zones',
      'do not interleave',
      'changes nothing',
    ]) {
      await expect(runConformanceCheck(sound, check(sound, part))).resolves.toBeUndefined();
    }
  });

  it('reports records outside the requested zones', async () => {
    const opts = options(LeakyPlugin);
    await expect(runConformanceCheck(opts, check(opts, 'requested zones'))).rejects.toThrow(/toEqual|toBe/);
  });

  it('reports a TTL AdjustEndpoints did not announce (found by the round-trip property)', async () => {
    // Fixed seed and more runs: the drift shows only for generated endpoints without a TTL.
    const opts = options(TtlDriftPlugin, { numRuns: 60, seed: 20261123 });
    await expect(runConformanceCheck(opts, check(opts, 'round trip for A'))).rejects.toThrow(/Property failed/);
  });

  it('does not normalise names in AdjustEndpoints', async () => {
    const opts = options(CaseKeepingPlugin);
    await expect(runConformanceCheck(opts, check(opts, 'normalises names'))).rejects.toThrow(/toEqual/);
  });

  it('changes records before the whole batch is validated', async () => {
    const opts = options(WriteAsYouGoPlugin);
    await expect(runConformanceCheck(opts, check(opts, 'changes nothing'))).rejects.toThrow(/toEqual/);
  });

  it('lets two concurrent batches interleave', async () => {
    const opts = options(InterleavingPlugin);
    await expect(runConformanceCheck(opts, check(opts, 'do not interleave'))).rejects.toThrow(/toBeLessThanOrEqual/);
  });

  it('fails with a plain error, not a retryable dnsgate error, when the backend breaks', async () => {
    const opts = options(SoundPlugin, {
      breakBackend: async ({ plugin }) => {
        (plugin as MemoryPlugin).failWith = new Error('socket hang up');
        return async () => {
          (plugin as MemoryPlugin).failWith = undefined;
        };
      },
    });
    await expect(runConformanceCheck(opts, check(opts, 'broken backend'))).rejects.toThrow(/isDnsgateError/);
  });

  it('fails with a dnsgate error outside 500–510 (while a 502 passes)', async () => {
    class TeapotError extends DnsgateError {
      readonly statusCode: number = 418;
      readonly kind = 'teapot';
    }
    const breakWith = (error: Error) =>
      options(SoundPlugin, {
        breakBackend: async ({ plugin }) => {
          (plugin as MemoryPlugin).failWith = error;
          return async () => {
            (plugin as MemoryPlugin).failWith = undefined;
          };
        },
      });
    const teapot = breakWith(new TeapotError('no'));
    await expect(runConformanceCheck(teapot, check(teapot, 'broken backend'))).rejects.toThrow(/retryable/);
    const backend = breakWith(new BackendError('pdns answered 500'));
    await expect(runConformanceCheck(backend, check(backend, 'broken backend'))).resolves.toBeUndefined();
  });

  it('keeps record types it does not support', async () => {
    const opts = options(GreedyPlugin);
    await expect(runConformanceCheck(opts, check(opts, 'does not support'))).rejects.toThrow(/toEqual/);
  });
});
