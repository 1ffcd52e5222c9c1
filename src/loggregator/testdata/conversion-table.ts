import type { MetricType } from '../../exposition/index.js';
import type { CounterFloatPolicy, DropReason, EnvelopeData } from '../convert.js';

/**
 * The conversion table (README.md), as data: one sample in, one envelope (or a drop) out.
 * Shared by convert.test.ts, encode.test.ts and the gRPC end-to-end test.
 */
export interface ConversionCase {
  name: string;
  target?: { sourceId: string; instanceId: string };
  series: { type: MetricType; family: string; name: string; labels: string[] };
  value: number;
  timestampMs?: number | bigint;
  policy?: CounterFloatPolicy;
  want: Omit<EnvelopeData, 'timestampNs'> | { drop: DropReason };
  wantTimestampNs?: bigint;
}

export const DEFAULT_SOURCE_ID = 'default-src';
export const TARGET = { sourceId: 'my-app', instanceId: '3' };
export const SCRAPE_MS = 1700000000123;
export const SCRAPE_NS = 1700000000123000000n;

const t = (name: string, c: Omit<ConversionCase, 'name'>): ConversionCase => ({ name, ...c });
const base = { sourceId: 'my-app', instanceId: '3' };

export const conversionCases: ConversionCase[] = [
  t('gauge: value and tags', {
    series: { type: 'gauge', family: 'temp', name: 'temp', labels: ['job', 'j', 'room', 'a'] },
    value: 21.5,
    want: { ...base, tags: ['job', 'j', 'room', 'a'], gauge: { name: 'temp', unit: '', value: 21.5 } },
  }),
  t('gauge: unit label becomes the GaugeValue unit and leaves the tags', {
    series: { type: 'gauge', family: 'mem', name: 'mem', labels: ['a', 'b', 'unit', 'bytes'] },
    value: 1024,
    want: { ...base, tags: ['a', 'b'], gauge: { name: 'mem', unit: 'bytes', value: 1024 } },
  }),
  t('gauge: zero value', {
    series: { type: 'gauge', family: 'z', name: 'z', labels: [] },
    value: 0,
    want: { ...base, tags: [], gauge: { name: 'z', unit: '', value: 0 } },
  }),
  t('gauge: negative zero, NaN and infinities pass through', {
    series: { type: 'gauge', family: 'nz', name: 'nz', labels: [] },
    value: -0,
    want: { ...base, tags: [], gauge: { name: 'nz', unit: '', value: -0 } },
  }),
  t('gauge: NaN', {
    series: { type: 'gauge', family: 'n', name: 'n', labels: [] },
    value: Number.NaN,
    want: { ...base, tags: [], gauge: { name: 'n', unit: '', value: Number.NaN } },
  }),
  t('untyped: like a gauge, unit included', {
    series: { type: 'untyped', family: 'u', name: 'u', labels: ['unit', 's'] },
    value: -3,
    want: { ...base, tags: [], gauge: { name: 'u', unit: 's', value: -3 } },
  }),
  t('unknown (OpenMetrics): like untyped', {
    series: { type: 'unknown', family: 'om_u', name: 'om_u', labels: [] },
    value: Number.POSITIVE_INFINITY,
    want: { ...base, tags: [], gauge: { name: 'om_u', unit: '', value: Number.POSITIVE_INFINITY } },
  }),
  t('source_id label wins and leaves the tags', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: ['a', '1', 'source_id', 'other'] },
    value: 1,
    want: { sourceId: 'other', instanceId: '3', tags: ['a', '1'], gauge: { name: 'g', unit: '', value: 1 } },
  }),
  t('no source id anywhere: DEFAULT_SOURCE_ID; empty instance id', {
    target: { sourceId: '', instanceId: '' },
    series: { type: 'gauge', family: 'g', name: 'g', labels: [] },
    value: 1,
    want: { sourceId: DEFAULT_SOURCE_ID, instanceId: '', tags: [], gauge: { name: 'g', unit: '', value: 1 } },
  }),
  t('instance_id label is only a tag', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: ['instance_id', '9'] },
    value: 2,
    want: { ...base, tags: ['instance_id', '9'], gauge: { name: 'g', unit: '', value: 2 } },
  }),
  t('empty tag value and UTF-8 tag', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: ['e', '', 'x', 'héllo ✓'] },
    value: 2,
    want: { ...base, tags: ['e', '', 'x', 'héllo ✓'], gauge: { name: 'g', unit: '', value: 2 } },
  }),
  t('counter: total', {
    series: { type: 'counter', family: 'reqs_total', name: 'reqs_total', labels: ['code', '200'] },
    value: 1027,
    want: { ...base, tags: ['code', '200'], counter: { name: 'reqs_total', total: 1027n } },
  }),
  t('counter: zero total', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 0,
    want: { ...base, tags: [], counter: { name: 'c', total: 0n } },
  }),
  t('counter (OpenMetrics family): sample name with _total', {
    series: { type: 'counter', family: 'reqs', name: 'reqs_total', labels: [] },
    value: 5,
    want: { ...base, tags: [], counter: { name: 'reqs_total', total: 5n } },
  }),
  t('counter: unit label stays a tag', {
    series: { type: 'counter', family: 'c', name: 'c', labels: ['unit', 'bytes'] },
    value: 5,
    want: { ...base, tags: ['unit', 'bytes'], counter: { name: 'c', total: 5n } },
  }),
  t('counter: fraction not sent (released behaviour)', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 2.9,
    want: { drop: 'counter_fractional' },
  }),
  t('counter, policy truncate: fraction truncated toward zero', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 2.9,
    policy: 'truncate',
    want: { ...base, tags: [], counter: { name: 'c', total: 2n } },
  }),
  t('counter: big exact integer', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 2 ** 60,
    want: { ...base, tags: [], counter: { name: 'c', total: 1152921504606846976n } },
  }),
  t('counter: >= 2^64 not sent', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 1e20,
    want: { drop: 'counter_overflow' },
  }),
  t('counter, policy truncate: >= 2^64 clamped', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 1e20,
    policy: 'truncate',
    want: { ...base, tags: [], counter: { name: 'c', total: 18446744073709551615n } },
  }),
  t('counter: negative dropped', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: -1,
    want: { drop: 'counter_negative' },
  }),
  t('counter, policy truncate: negative still not sent', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: -0.5,
    policy: 'truncate',
    want: { drop: 'counter_negative' },
  }),
  t('counter: NaN dropped', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: Number.NaN,
    want: { drop: 'counter_nan' },
  }),
  t('counter: +Inf dropped', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: Number.POSITIVE_INFINITY,
    want: { drop: 'counter_infinite' },
  }),
  t('counter, policy gauge: fraction sent as a gauge', {
    series: { type: 'counter', family: 'c', name: 'c', labels: ['unit', 'x'] },
    value: 2.5,
    policy: 'gauge',
    want: { ...base, tags: ['unit', 'x'], gauge: { name: 'c', unit: '', value: 2.5 } },
  }),
  t('counter, policy gauge: integers stay counters', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: 7,
    policy: 'gauge',
    want: { ...base, tags: [], counter: { name: 'c', total: 7n } },
  }),
  t('counter, policy gauge: negative sent as a gauge', {
    series: { type: 'counter', family: 'c', name: 'c', labels: [] },
    value: -4,
    policy: 'gauge',
    want: { ...base, tags: [], gauge: { name: 'c', unit: '', value: -4 } },
  }),
  t('counter _created (OpenMetrics): a gauge', {
    series: { type: 'counter', family: 'reqs', name: 'reqs_created', labels: [] },
    value: 1700000000.5,
    want: { ...base, tags: [], gauge: { name: 'reqs_created', unit: '', value: 1700000000.5 } },
  }),
  t('histogram _bucket: counter tagged le (Go float format)', {
    series: { type: 'histogram', family: 'lat', name: 'lat_bucket', labels: ['le', '0.00001', 'path', '/'] },
    value: 3,
    want: { ...base, tags: ['le', '1e-05', 'path', '/'], counter: { name: 'lat_bucket', total: 3n } },
  }),
  t('histogram _bucket: le 1000000 → 1e+06', {
    series: { type: 'histogram', family: 'lat', name: 'lat_bucket', labels: ['le', '1000000'] },
    value: 4,
    want: { ...base, tags: ['le', '1e+06'], counter: { name: 'lat_bucket', total: 4n } },
  }),
  t('histogram _bucket: le 1.0 → 1', {
    series: { type: 'histogram', family: 'lat', name: 'lat_bucket', labels: ['le', '1.0'] },
    value: 4,
    want: { ...base, tags: ['le', '1'], counter: { name: 'lat_bucket', total: 4n } },
  }),
  t('histogram _bucket: le +Inf', {
    series: { type: 'histogram', family: 'lat', name: 'lat_bucket', labels: ['le', '+Inf'] },
    value: 9,
    want: { ...base, tags: ['le', '+Inf'], counter: { name: 'lat_bucket', total: 9n } },
  }),
  t('histogram _count: counter', {
    series: { type: 'histogram', family: 'lat', name: 'lat_count', labels: [] },
    value: 9,
    want: { ...base, tags: [], counter: { name: 'lat_count', total: 9n } },
  }),
  t('histogram _sum: gauge, unit label stays a tag', {
    series: { type: 'histogram', family: 'lat', name: 'lat_sum', labels: ['unit', 's'] },
    value: 0.25,
    want: { ...base, tags: ['unit', 's'], gauge: { name: 'lat_sum', unit: '', value: 0.25 } },
  }),
  t('summary quantile: gauge named after the family, tagged quantile', {
    series: { type: 'summary', family: 'rpc', name: 'rpc', labels: ['quantile', '0.50'] },
    value: 0.012,
    want: { ...base, tags: ['quantile', '0.5'], gauge: { name: 'rpc', unit: '', value: 0.012 } },
  }),
  t('summary quantile 0.99 and 1e-05', {
    series: { type: 'summary', family: 'rpc', name: 'rpc', labels: ['quantile', '0.00001'] },
    value: 1,
    want: { ...base, tags: ['quantile', '1e-05'], gauge: { name: 'rpc', unit: '', value: 1 } },
  }),
  t('summary _sum: gauge', {
    series: { type: 'summary', family: 'rpc', name: 'rpc_sum', labels: [] },
    value: 17.5,
    want: { ...base, tags: [], gauge: { name: 'rpc_sum', unit: '', value: 17.5 } },
  }),
  t('summary _count: counter', {
    series: { type: 'summary', family: 'rpc', name: 'rpc_count', labels: [] },
    value: 100,
    want: { ...base, tags: [], counter: { name: 'rpc_count', total: 100n } },
  }),
  t('gaugehistogram _bucket: gauge tagged le', {
    series: { type: 'gaugehistogram', family: 'q', name: 'q_bucket', labels: ['le', '10.0'] },
    value: 3,
    want: { ...base, tags: ['le', '10'], gauge: { name: 'q_bucket', unit: '', value: 3 } },
  }),
  t('gaugehistogram _gcount: gauge', {
    series: { type: 'gaugehistogram', family: 'q', name: 'q_gcount', labels: [] },
    value: 3,
    want: { ...base, tags: [], gauge: { name: 'q_gcount', unit: '', value: 3 } },
  }),
  t('stateset: gauge, state label kept', {
    series: { type: 'stateset', family: 'st', name: 'st', labels: ['st', 'ready'] },
    value: 1,
    want: { ...base, tags: ['st', 'ready'], gauge: { name: 'st', unit: '', value: 1 } },
  }),
  t('info: gauge', {
    series: { type: 'info', family: 'build', name: 'build_info', labels: ['version', '1.2'] },
    value: 1,
    want: { ...base, tags: ['version', '1.2'], gauge: { name: 'build_info', unit: '', value: 1 } },
  }),
  t('own timestamp (honor_timestamps), fractional ms', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: [] },
    value: 1,
    timestampMs: 1500.25,
    wantTimestampNs: 1500250000n,
    want: { ...base, tags: [], gauge: { name: 'g', unit: '', value: 1 } },
  }),
  t('timestamp as bigint ms', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: [] },
    value: 1,
    timestampMs: 9007199254740993n,
    wantTimestampNs: 9223372036854775807n,
    want: { ...base, tags: [], gauge: { name: 'g', unit: '', value: 1 } },
  }),
  t('negative timestamp', {
    series: { type: 'gauge', family: 'g', name: 'g', labels: [] },
    value: 1,
    timestampMs: -1,
    wantTimestampNs: -1000000n,
    want: { ...base, tags: [], gauge: { name: 'g', unit: '', value: 1 } },
  }),
];
