export { registerProcessMetrics } from './process-metrics.js';
export { Counter, DEFAULT_BUCKETS, Gauge, Histogram, Registry } from './registry.js';
export type { Collector, CounterChild, GaugeChild, HistogramChild } from './registry.js';
