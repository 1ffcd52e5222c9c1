export { formatGoFloat } from './go-float.js';
export { METRIC_TYPES } from './types.js';
export type { Exemplar, ExpositionFormat, Labels, MetricFamily, MetricType, Sample, TimestampMs } from './types.js';
