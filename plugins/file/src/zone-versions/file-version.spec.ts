import type { BigIntStats } from 'node:fs';
import { fileIdentity, isRacy, zoneFileVersion } from './file-version.js';

const SECOND = 1_000_000_000n;
const NOW = 1_800_000_000n * SECOND + 500_000_000n;

function stats(fields: Partial<Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs'>>): BigIntStats {
  return { dev: 1n, ino: 2n, size: 300n, mtimeNs: NOW - 10n * SECOND + 123n, ...fields } as BigIntStats;
}

describe('zoneFileVersion', () => {
  it('is the same for the same identity, and moves with the device, inode, size or mtime', () => {
    const version = zoneFileVersion(stats({}), [], NOW);
    expect(zoneFileVersion(stats({}), [], NOW)).toBe(version);
    for (const changed of [{ dev: 9n }, { ino: 9n }, { size: 301n }, { mtimeNs: NOW - 10n * SECOND + 124n }]) {
      expect(zoneFileVersion(stats(changed), [], NOW)).not.toBe(version);
    }
  });

  it('moves with the set of deeper managed zones', () => {
    expect(zoneFileVersion(stats({}), ['sub.example.com'], NOW)).not.toBe(zoneFileVersion(stats({}), [], NOW));
  });

  it('is never repeated while the file is racy, unless this process wrote the file as it is', () => {
    const racy = stats({ mtimeNs: NOW - 1_000_000n });
    expect(zoneFileVersion(racy, [], NOW)).not.toBe(zoneFileVersion(racy, [], NOW));
    const written = fileIdentity(racy);
    expect(zoneFileVersion(racy, [], NOW, written)).toBe(zoneFileVersion(racy, [], NOW, written));
    expect(zoneFileVersion(racy, [], NOW, fileIdentity(stats({})))).not.toBe(zoneFileVersion(racy, [], NOW));
  });
});

describe('isRacy', () => {
  it('holds for 100 ms after a sub-second mtime, and for 2 s after a whole-second one', () => {
    expect(isRacy(NOW - 99_000_000n, NOW)).toBe(true);
    expect(isRacy(NOW - 100_000_000n, NOW)).toBe(false);
    const wholeSecond = NOW - (NOW % SECOND) - SECOND;
    expect(isRacy(wholeSecond, NOW)).toBe(true);
    expect(isRacy(wholeSecond - SECOND, NOW)).toBe(false);
  });

  it('holds for an mtime ahead of the clock (a clock stepped back)', () => {
    expect(isRacy(NOW + SECOND + 7n, NOW)).toBe(true);
  });
});
