export { FilePluginModule } from './file-plugin.module.js';
export { FilePluginFactory } from './file.plugin-factory.js';
export { FilePluginOptions } from './file.options.js';
export { FilePlugin, endpointsOf, type FilePluginInternals } from './file.plugin.js';
export { parseZoneFile, type ParseOptions } from './zone-file/zone-file.parser.js';
export { writeZoneFile } from './zone-file/zone-file.writer.js';
export type { ZoneFile, ZoneRecord } from './zone-file/zone-record.js';
