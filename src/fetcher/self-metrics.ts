import { type Counter, type Gauge, type Histogram, Registry, registerProcessMetrics } from '../metrics/index.js';
import type { RoutesMetrics } from '../routes/index.js';

const APP_LABELS = ['organization_id', 'space_id', 'app_id', 'organization_name', 'space_name', 'app_name'] as const;

/** The fetcher's self-metrics (`GET /metrics`): the original's four plus request and fetch timings. */
export interface FetcherMetrics {
  readonly registry: Registry;
  /** +1 per successful instance or exporter scrape; labels: the six app labels. */
  readonly fetchSuccess: Counter;
  /** +1 per failed scrape turned into `promfetcher_scrape_error`; labels: app labels + index, instance_id. */
  readonly fetchFailed: Counter;
  /** Backend request durations; label `outcome` = `ok` or a fetch error reason. */
  readonly fetchDuration: Histogram;
  /** API request durations; labels `handler` (fixed set) and `code`. */
  readonly httpDuration: Histogram;
  /** Requests answered by joining a fan-out in flight or from the cache; label `how`. */
  readonly shared: Counter;
  readonly inflight: Gauge;
  readonly duplicates: Counter;
  readonly typeConflicts: Counter;
  stop(): void;
}

export function createFetcherMetrics(routes: RoutesMetrics, now: () => number = Date.now): FetcherMetrics {
  const registry = new Registry();
  const fetchSuccess = registry.counter({
    name: 'promfetch_metric_fetch_success_total',
    help: 'Number of fetch metrics success.',
    labelNames: [...APP_LABELS],
  });
  const fetchFailed = registry.counter({
    name: 'promfetch_metric_fetch_failed_total',
    help: 'Number of non fetched metrics without be an normal error.',
    labelNames: [...APP_LABELS, 'index', 'instance_id'],
  });
  registry.gauge({
    name: 'promfetch_latest_time_scrape_route',
    help: 'Number of seconds since the route table was last updated or loaded.',
    collect: (g) => {
      const last = Math.max(routes.lastUpdateMs, routes.lastLoadMs);
      g.set(last === 0 ? 0 : Math.max(0, (now() - last) / 1000));
    },
  });
  registry.counter({
    name: 'promfetch_scrape_route_failed_total',
    help: 'Number of failed route table refreshes (gorouter polls or file loads).',
    collect: (set) => set(routes.pollsFailed + routes.fileLoadsFailed),
  });
  registry.gauge({ name: 'promfetch_routes_known', help: 'Route keys in the route table.', collect: (g) => g.set(routes.routesKnown) });
  registry.gauge({
    name: 'promfetch_instances_known',
    help: 'Distinct instance addresses in the route table.',
    collect: (g) => g.set(routes.instancesKnown),
  });
  const fetchDuration = registry.histogram({
    name: 'promfetch_backend_fetch_duration_seconds',
    help: 'Duration of one instance or exporter scrape, body and parse included.',
    labelNames: ['outcome'],
  });
  const httpDuration = registry.histogram({
    name: 'promfetch_http_request_duration_seconds',
    help: 'Duration of API requests.',
    labelNames: ['handler', 'code'],
  });
  const shared = registry.counter({
    name: 'promfetch_shared_requests_total',
    help: 'Merged requests served by joining an identical fan-out in flight or from the cache.',
    labelNames: ['how'],
  });
  const inflight = registry.gauge({ name: 'promfetch_inflight_requests', help: 'API requests being answered.' });
  const duplicates = registry.counter({
    name: 'promfetch_duplicate_series_dropped_total',
    help: 'Series dropped because a source exposed them twice.',
  });
  const typeConflicts = registry.counter({
    name: 'promfetch_type_conflicts_total',
    help: 'Families of an instance dropped because another instance declared another type.',
  });
  const proc = registerProcessMetrics(registry);
  return { registry, fetchSuccess, fetchFailed, fetchDuration, httpDuration, shared, inflight, duplicates, typeConflicts, stop: proc.stop };
}
