export * from './media-type.js';
export * from './endpoint.js';
export * from './changes.js';
export * from './dns-name.js';
export * from './domain-filter.js';
export * from './dto/endpoint.dto.js';
export * from './dto/wire-keys.js';
export * from './dto/parse-wire.js';
