import 'reflect-metadata';

export * from '@dnsgate/protocol';
export * from './version.js';
export * from './contract/dns-plugin.interface.js';
export * from './contract/plugin-logger.interface.js';
export * from './errors/dnsgate-errors.js';
export * from './metrics/plugin-metrics.js';
export * from './options/plugin-option.decorator.js';
export * from './options/load-plugin-options.js';
export * from './registration/dnsgate-plugin.decorator.js';
export * from './records/txt.js';
export * from './records/ip-address.js';
export * from './records/batch.js';
