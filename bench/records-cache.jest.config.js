// Runs bench/records-cache.bench.ts with the repository's Jest transform (ts-jest), so
// the benchmark can use the TypeScript test helpers that start BIND, PowerDNS and
// dnsgate. It is not part of `npm test`: run it with `npm run bench:cache`.
import root from '../jest.config.js';

const e2e = root.projects.find((project) => project.displayName === 'e2e');

export default {
  ...e2e,
  rootDir: '..',
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/records-cache.bench.ts'],
  testTimeout: 600000,
};
