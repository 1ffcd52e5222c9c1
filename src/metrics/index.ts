export { registerProcessMetrics } from './process-metrics.js';
export type { Collector, CounterChild, GaugeChild, HistogramChild } from './registry.js';
export { Counter, DEFAULT_BUCKETS, Gauge, Histogram, Registry } from './registry.js';
