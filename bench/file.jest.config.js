// Runs bench/file.bench.ts with the repository's Jest transform (ts-jest), so
// the benchmark can use the TypeScript test helpers that start dnsgate. It is
// not part of `npm test`: run it with `npm run bench:file`.
import root from '../jest.config.js';

const e2e = root.projects.find((project) => project.displayName === 'e2e');

export default {
  ...e2e,
  rootDir: '..',
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/file.bench.ts'],
  testTimeout: 3600000,
};
