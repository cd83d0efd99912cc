import { BackendUnavailableError } from '@dnsgate/plugin-sdk';
import {
  createTestPluginContext,
  describePluginConformance,
  GENERATED_RECORD_TYPES,
} from '@dnsgate/plugin-sdk/testkit';
import { MemoryPlugin, MemoryPluginFactory, MemoryPluginOptions } from '../support/memory-plugin.js';

/** A name the memory backend refuses, as a server's integrity check would refuse a record. */
const REFUSED = 'ck-refused-by-backend';

function memoryPlugin(zones: string[]): MemoryPlugin {
  const options = Object.assign(new MemoryPluginOptions(), { zones });
  const plugin = new MemoryPluginFactory().create(options, createTestPluginContext('memory'));
  plugin.reportOutsideZones = false;
  for (const zone of zones) plugin.refusedNames.add(`${REFUSED}.${zone}`);
  return plugin;
}

// The in-memory plugin holds every type, so every generator gets its round trip.
describePluginConformance({
  name: 'memory, two zones',
  recordTypes: GENERATED_RECORD_TYPES,
  defaultTtl: 300,
  setup: async () => ({ plugin: memoryPlugin(['example.com', 'example.org']), zones: ['example.com', 'example.org'] }),
  refusedByBackend: (zone) => [{ dnsName: `${REFUSED}.${zone}`, recordType: 'A', targets: ['192.0.2.99'] }],
  // A backend that never answers: the deadline answers for it.
  stallBackend: async ({ plugin }) => {
    const memory = plugin as MemoryPlugin;
    memory.readDelayMs = 30_000;
    memory.applyDelayMs = 30_000;
    return async () => {
      memory.readDelayMs = 0;
      memory.applyDelayMs = 0;
    };
  },
  breakBackend: async ({ plugin }) => {
    const memory = plugin as MemoryPlugin;
    memory.failWith = new BackendUnavailableError('memory backend switched off');
    return async () => {
      memory.failWith = undefined;
    };
  },
  outsideRecords: {
    seed: async ({ plugin }) => {
      (plugin as MemoryPlugin).store.set('foreign', {
        dnsName: 'foreign.example.net',
        targets: ['198.51.100.7'],
        recordType: 'A',
        recordTTL: 60,
      });
    },
    verify: async ({ plugin }) => {
      expect((plugin as MemoryPlugin).store.get('foreign')).toEqual({
        dnsName: 'foreign.example.net',
        targets: ['198.51.100.7'],
        recordType: 'A',
        recordTTL: 60,
      });
    },
  },
});

// One zone: the cross-zone checks must still run, within the single zone.
describePluginConformance({
  name: 'memory, one zone',
  recordTypes: ['A', 'TXT'],
  defaultTtl: 300,
  numRuns: 10,
  // It declares two types here but holds every type; the drop check is proven on the hosts example.
  dropsUnsupportedTypes: false,
  setup: async () => ({ plugin: memoryPlugin(['example.com']), zones: ['example.com'] }),
});
