/**
 * The major version of the plugin contract. The gateway refuses a plugin
 * compiled against another major; bump it on any breaking change of
 * `DnsPlugin`, `DnsPluginFactory` or `PluginContext`.
 */
export const PLUGIN_API_VERSION = 2;

/** What a plugin built for an older API must change, for the boot error that refuses it. */
export const PLUGIN_API_CHANGES: Readonly<Record<number, string>> = {
  2:
    'API 2 moved the batch into the SDK: a plugin no longer implements applyChanges() and adjustEndpoints(), ' +
    'but checkRecord() (one record set against what the backend holds), readZoneState() (what a zone holds now) ' +
    'and writeGroup() (one group of changes to one zone); records() takes a CallContext with the call deadline',
};
