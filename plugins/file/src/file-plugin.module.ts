import { createPluginModule } from '@dnsgate/plugin-sdk';
import { FilePluginFactory } from './file.plugin-factory.js';

/** Import this module into the gateway to make the `file` plugin available. */
export const FilePluginModule = createPluginModule(FilePluginFactory);
