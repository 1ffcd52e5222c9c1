export { bytesEqual, sameBytes, viewOf } from './bytes.js';
export { CommentMemo } from './comment-memo.js';
export { CONTENT_TYPES, formatFromContentType, negotiateFormat, SCRAPE_ACCEPT } from './content-type.js';
export { ExpositionError } from './errors.js';
export { formatGoFloat } from './go-float.js';
export { keyHashBytes, seriesKeyOf } from './key-hash.js';
export { labelsToJson, sampleToNdjson } from './ndjson.js';
export { INVALID, readFloat, readInt64 } from './number.js';
export type { ParseOptions } from './parse.js';
export { ExpositionStreamParser, parseExposition, resolveFormat } from './parse.js';
export { CachedSeries, SeriesKeyCache } from './series-key-cache.js';
export type {
  Exemplar,
  ExpositionFormat,
  Labels,
  MetricFamily,
  MetricType,
  PredictedSeries,
  Sample,
  SampleVisitor,
  SeriesKey,
  TimestampMs,
} from './types.js';
export { METRIC_TYPES } from './types.js';
export { escapeLabelValue, omTimestamp, writeExposition, writeOpenMetrics, writeSeries, writeText } from './writer.js';
