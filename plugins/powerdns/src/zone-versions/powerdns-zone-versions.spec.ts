import { describe, expect, it } from '@jest/globals';
import { isWithinDomain } from '@dnsgate/plugin-sdk';
import { managedZonesBelow } from './powerdns-zone-versions.js';

/** What managedZonesBelow stands for: every other zone within each zone, by asking every pair. */
function byEveryPair(managed: readonly string[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const zone of managed) {
    const below = managed.filter((other) => other !== zone && isWithinDomain(other, zone));
    if (below.length > 0) result[zone] = below.sort();
  }
  return result;
}

function sortedRecord(map: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries([...map].map(([zone, below]) => [zone, [...below].sort()]));
}

describe('managedZonesBelow', () => {
  it('gives each zone the managed zones below it, at any depth, and no zone that only ends in its name', () => {
    const managed = ['example.com', 'sub.example.com', 'deep.sub.example.com', 'myexample.com', 'other.org', 'org'];
    expect(sortedRecord(managedZonesBelow(managed))).toEqual({
      'example.com': ['deep.sub.example.com', 'sub.example.com'],
      'sub.example.com': ['deep.sub.example.com'],
      org: ['other.org'],
    });
    expect(sortedRecord(managedZonesBelow(managed))).toEqual(byEveryPair(managed));
  });

  it('puts every other zone below the root zone, and leaves zones without zones below them out', () => {
    expect(sortedRecord(managedZonesBelow(['.', 'example.com', 'a.example.com']))).toEqual({
      '.': ['a.example.com', 'example.com'],
      'example.com': ['a.example.com'],
    });
    expect(managedZonesBelow(['example.com', 'example.org']).size).toBe(0);
    expect(managedZonesBelow([]).size).toBe(0);
  });

  it('agrees with asking every pair on many zones', () => {
    const managed = Array.from({ length: 300 }, (_, i) =>
      [`z${i % 7}`, i % 3 === 0 ? `p${i % 5}` : undefined, 'example', i % 11 === 0 ? 'net' : 'com']
        .filter((label) => label !== undefined)
        .slice(i % 4 === 0 ? 1 : 0)
        .join('.'),
    );
    const unique = [...new Set(managed)];
    expect(sortedRecord(managedZonesBelow(unique))).toEqual(byEveryPair(unique));
  });
});
