import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The gateway package's version, as released. */
export const DNSGATE_VERSION: string = (require('../package.json') as { version: string }).version;
