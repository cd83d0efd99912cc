export { Rfc2136PluginModule } from './rfc2136-plugin.module.js';
export { Rfc2136PluginFactory } from './rfc2136.plugin-factory.js';
export { Rfc2136Options, LOAD_BALANCING_MODES, type LoadBalancing } from './rfc2136.options.js';
export { Rfc2136Plugin } from './rfc2136.plugin.js';
export { TSIG_ALGORITHMS, type TsigAlgorithm } from './dns/tsig.signer.js';
