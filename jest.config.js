// Tests run on the TypeScript sources (SWC strips types and keeps decorator
// metadata, which Nest's DI needs); `npm test` builds with tsc first, so
// types are checked once there rather than per test file.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
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
      testTimeout: 60000,
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
  ],
};
