/**
 * The major version of the plugin contract. The gateway refuses a plugin
 * compiled against another major; bump it on any breaking change of
 * `DnsPlugin`, `DnsPluginFactory` or `PluginContext`.
 */
export const PLUGIN_API_VERSION = 1;
