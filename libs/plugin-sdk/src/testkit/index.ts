export * from './test-plugin-context.js';
export * from './record-generators.js';
export * from './endpoint-comparison.js';
export * from './plugin-conformance.suite.js';
export type { ConformanceGlobals, ConformanceMatchers } from './jest-globals.js';
export * from './plugin-driver.js';
