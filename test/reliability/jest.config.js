// `npm run test:reliability`: the reliability suite of issue 12, against
// running gateways and real servers on loopback. Each part records its
// figures; the summary reporter prints them as one table at the end.
import root from '../../jest.config.js';

const e2e = root.projects.find((project) => project.displayName === 'e2e');

export default {
  ...e2e,
  rootDir: '../..',
  displayName: 'reliability',
  testMatch: ['<rootDir>/test/reliability/**/*.reliability-spec.ts'],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  testTimeout: 900000,
  reporters: ['default', '<rootDir>/test/reliability/support/summary-table.reporter.mjs'],
};
