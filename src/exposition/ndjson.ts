import type { Labels, MetricType, Sample, TimestampMs } from './types.js';

function jsonValue(v: number): string {
  if (v !== v) return '"NaN"';
  if (v === Number.POSITIVE_INFINITY) return '"+Inf"';
  if (v === Number.NEGATIVE_INFINITY) return '"-Inf"';
  return JSON.stringify(v);
}

function jsonTimestamp(ts: TimestampMs | null): string {
  if (ts === null) return 'null';
  if (typeof ts === 'bigint') return `"${ts.toString()}"`;
  return String(Math.round(ts));
}

export function labelsToJson(labels: Labels): string {
  let s = '{';
  for (let i = 0; i < labels.length; i += 2) {
    s += `${i === 0 ? '' : ','}${JSON.stringify(labels[i])}:${JSON.stringify(labels[i + 1])}`;
  }
  return `${s}}`;
}

/**
 * One sample as the `cf-prom parse` NDJSON line (without the newline): name, labels in
 * exposition order, value (non-finite as a string), integer-ms timestamp (a string of digits
 * beyond 2^53) and the family type. Other tools depend on this shape: keep it stable.
 */
export function sampleToNdjson(sample: Pick<Sample, 'name' | 'labels' | 'value' | 'timestampMs'>, type: MetricType, extra = ''): string {
  return `{"name":${JSON.stringify(sample.name)},"labels":${labelsToJson(sample.labels)},"value":${jsonValue(sample.value)},"timestamp":${jsonTimestamp(sample.timestampMs)},"type":"${type}"${extra}}`;
}
