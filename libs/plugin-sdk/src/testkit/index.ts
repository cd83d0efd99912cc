export * from './test-plugin-context.js';
