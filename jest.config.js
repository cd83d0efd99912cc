// Tests run on the TypeScript sources. ts-jest transpiles each file on its
// own (isolatedModules, as in the tsconfig), keeping the decorator metadata
// Nest's DI needs; `npm test` builds with tsc first, so types are checked
// once there rather than per test file. (@swc/jest was faster, but its
// platform binaries are not all on the npm registry this project installs
// from, which left package-lock.json unusable for npm ci.)
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }];

const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@dnsgate/protocol$': '<rootDir>/libs/protocol/src/index.ts',
    '^@dnsgate/plugin-sdk$': '<rootDir>/libs/plugin-sdk/src/index.ts',
    '^@dnsgate/plugin-sdk/testkit$': '<rootDir>/libs/plugin-sdk/src/testkit/index.ts',
    '^@dnsgate/plugin-(file|powerdns|rfc2136)$': '<rootDir>/plugins/$1/src/index.ts',
    '^@dnsgate/gateway$': '<rootDir>/apps/gateway/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

export default {
  // Per project in Jest 30, global in Jest 29: the end-to-end tests start real DNS servers.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,plugins}/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'examples',
      testMatch: ['<rootDir>/examples/*/test/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
  ],
};
