// Runs bench/powerdns.bench.ts with the repository's Jest transform (ts-jest), so
// the benchmark can use the TypeScript test helpers that start PowerDNS and
// the dnsgate process. It is not part of `npm test`: run it with `npm run bench:powerdns`.
import root from '../jest.config.js';

const e2e = root.projects.find((project) => project.displayName === 'e2e');

export default {
  ...e2e,
  rootDir: '..',
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/powerdns.bench.ts'],
  testTimeout: 1800000,
};
