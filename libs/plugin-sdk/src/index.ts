import 'reflect-metadata';

// The protocol's model, for plugins: record sets, changes, names, the filter.
// The wire parsing (DTOs, body parsers) is the gateway's and stays out.
export {
  EXTERNAL_DNS_RECORD_TYPES,
  WEBHOOK_MEDIA_TYPE,
  WEBHOOK_MEDIA_ESSENCE,
  WEBHOOK_MEDIA_VERSION,
  WEBHOOK_BODY_LIMIT_BYTES,
  DomainFilterError,
  DomainFilterMatcher,
  ZoneIndex,
  zonesWithinEach,
  countChanges,
  describeEndpoint,
  emptyChanges,
  endpointKey,
  findZone,
  isWithinDomain,
  lowerCased,
  normalizeDnsName,
  RECORD_SET_JSON,
  jsonString,
  recordSetJson,
  recordSetJsonEnd,
  toALabels,
  toFqdn,
  toULabels,
  toWireEndpoint,
  upperCased,
  MAX_RECORD_TTL,
  normalizeRecordTtl,
  type Changes,
  type DomainFilter,
  type Endpoint,
  type ExternalDnsRecordType,
  type ProviderSpecificProperty,
} from '@dnsgate/protocol';

export { PLUGIN_API_VERSION, PLUGIN_API_CHANGES } from './version.js';
export type {
  CallContext,
  EarlyEndpoints,
  ChangeAction,
  ChangeGroup,
  DnsPlugin,
  DnsPluginFactory,
  GroupResult,
  PlannedChange,
  PluginContext,
  Readiness,
  RecordCheck,
  RecordRole,
  RecordsRequest,
  SerialisedRecords,
  ZoneState,
} from './contract/dns-plugin.interface.js';
export type { PluginLogger } from './contract/plugin-logger.interface.js';
export type { VersionedZone, ZoneVersionExactness, ZoneVersionSource } from './contract/zone-versions.interface.js';
export {
  BackendError,
  BackendTimeoutError,
  BackendUnavailableError,
  ChangeRejectedError,
  ConfigError,
  DeadlineExceededError,
  DnsgateError,
  GroupRefusedError,
  PluginConfigError,
  PluginNotReadyError,
  isDnsgateError,
} from './errors/dnsgate-errors.js';
export {
  createPluginMetrics,
  metricNamePrefix,
  type HistogramSpec,
  type MetricSpec,
  type PluginMetrics,
} from './metrics/plugin-metrics.js';
export {
  PluginOption,
  getDeclaredOptions,
  resolveOptionType,
  toUpperSnake,
  type DeclaredPluginOption,
  type PluginOptionSpec,
} from './options/plugin-option.decorator.js';
export {
  loadEnvOptions,
  loadPluginOptions,
  pluginEnvPrefix,
  type LoadedPluginOptions,
} from './options/load-plugin-options.js';
export {
  DNSGATE_PLUGIN_METADATA,
  DnsgatePlugin,
  createPluginModule,
  getPluginMetadata,
  type DnsgatePluginMetadata,
  type DnsgatePluginOptions,
} from './registration/dnsgate-plugin.decorator.js';
export {
  canonicalTxtTarget,
  escapeTxt,
  formatTxtTarget,
  parseQuotedStrings,
  splitTxtValue,
  txtTargetValue,
} from './records/txt.js';
export { concatenated } from './records/concatenated.js';
export { SerialisedRecordsBuilder, joinedRecords } from './records/serialised-records.js';
export { canonicalIpv6 } from './records/ip-address.js';
export {
  MAX_TXT_TEXT_BYTES,
  hostTargetProblem,
  naptrFlagsProblem,
  naptrRegexpProblem,
  presentationFields,
  targetRuleProblem,
  ownerNameProblem,
  txtSizeProblem,
} from './records/record-rules.js';
export { Deadline } from './concurrency/deadline.js';
export { Limiter, settle, settleWithLimit } from './concurrency/limiter.js';
export { Mutex } from './concurrency/mutex.js';
export {
  BatchPipeline,
  conflictOf,
  zoneStateOf,
  zoneStateOfKeys,
  type AdjustResult,
  type ApplyOptions,
  type BatchRun,
  type DroppedEndpoint,
} from './batch/batch-pipeline.js';
export {
  BatchIncompleteError,
  BatchReport,
  countByAction,
  describeNotApplied,
  mergeReports,
  reportNotApplied,
  subjectOf,
  type ActionCounts,
  type NotAppliedChange,
  type NotAppliedReason,
} from './batch/batch-report.js';
export { isolationBudget, splitRefused, writeIsolating, type PartOutcome } from './batch/group-isolation.js';
export { applyWithinDeadline, withinDeadline, type DeadlineBoundReport } from './batch/within-deadline.js';
export { DURATION_PATTERN, parseDuration } from './options/duration.js';
export {
  RECORDS_CACHE_MODES,
  RecordsCachingPlugin,
  recordsCacheApplies,
  type RecordsCacheMode,
  type RecordsCacheObserver,
  type RecordsCacheSettings,
  type ZoneRead,
  type ZoneReadKind,
} from './records-cache/records-cache.js';
