export type { AppFetchRequest, AppFetchResult, MetricsPathResolver, SourceReport } from './app-fetch.js';
export { ACCEPT_BY_VERSION, fetchApp, noMetricsPathResolver } from './app-fetch.js';
export type { FetcherConfig, LoadOptions, RouteSourceConfig } from './config.js';
export { buildFetcherConfig, loadFetcherConfig, parseConfigYaml } from './config.js';
export { parseGoDurationMs } from './duration.js';
export { FetcherConfigError, FetcherRequestError } from './errors.js';
export type { ExternalExporter } from './external-exporters.js';
export { compileExporter, exporterUrl, TEMPLATE_FIELDS } from './external-exporters.js';
export type { FetcherOptions } from './fetcher.js';
export { Fetcher } from './fetcher.js';
export type { HeaderPolicy } from './headers.js';
export { forwardedHeaders, isForwardable } from './headers.js';
export type { HealthState } from './health.js';
export { Health } from './health.js';
export type { FetchErrorReason, FetchOutcome, FetchRequest, InstanceClientOptions } from './instance-client.js';
export { FETCH_ERROR_REASONS, InstanceClient } from './instance-client.js';
export { resolveMetricPath } from './metric-path.js';
export type { MergeInput, MergeStats, RenderedFamily, RenderedSource } from './render.js';
export {
  appTargetLabels,
  instanceTargetLabels,
  mergeRendered,
  RESERVED_LABELS,
  renderSource,
  SCRAPE_ERROR_FAMILY,
  TYPE_CONFLICT_FAMILY,
} from './render.js';
export type { FetcherMetrics } from './self-metrics.js';
export { SharedRuns } from './share.js';
