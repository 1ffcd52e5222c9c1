import type { Labels, MetricType, TimestampMs } from '../exposition/index.js';
import { formatGoFloat } from '../exposition/index.js';
import type { ScrapeTarget, SeriesDescriptor } from '../scrape/index.js';
import { prepareBytes } from './prepare-bytes.js';

/** The two envelope kinds a scrape produces. */
export type EnvelopeKind = 'counter' | 'gauge';

/**
 * What to do with counter values that are not an exact uint64 (`Counter.total`): fractional,
 * >= 2^64, negative, NaN or infinite. Whatever the policy, each case is counted.
 * - `drop` (default, the released behaviour: prom_scraper skips a counter whose value does not
 *   survive `float64(uint64(v))`): not sent.
 * - `truncate`: fractions truncated toward zero, values >= 2^64 clamped to 2^64-1; negative,
 *   NaN and infinite values are still not sent, since any total would be a lie.
 * - `gauge`: sent as a gauge envelope with the same name and the exact value.
 */
export type CounterFloatPolicy = 'drop' | 'truncate' | 'gauge';
export const COUNTER_FLOAT_POLICIES: readonly CounterFloatPolicy[] = ['drop', 'truncate', 'gauge'];

export interface ConvertOptions {
  /** `DEFAULT_SOURCE_ID`: used when neither the series nor the target has a source id. */
  defaultSourceId: string;
  counterFloats?: CounterFloatPolicy;
}

/**
 * The per-series half of a conversion, computed once when the scrape engine first sees a
 * series: everything about the envelope except its value and timestamp.
 */
export class PreparedEnvelope {
  /**
   * Where this series' envelope sits in its target's last committed envelope image, which the
   * sink copies unchanged bytes from (see image.ts); -1 before the first commit. Only a hint:
   * the image checks that the slot really holds this series.
   */
  slot = -1;

  constructor(
    readonly kind: EnvelopeKind,
    /** Counter name, or the gauge's metric key. */
    readonly name: string,
    readonly sourceId: string,
    readonly instanceId: string,
    /** GaugeValue unit (always "" for counters). */
    readonly unit: string,
    /** Flat `[k0, v0, k1, v1, …]`, sorted by key, without `source_id` (and `unit` on gauges). */
    readonly tags: Labels,
    /** Constant protobuf fragments for the hand encoder (see encode.ts). */
    readonly bytes: PreparedBytes,
  ) {}
}

export interface PreparedBytes {
  /** Field 1 (string) holding the name: Counter.name and the Gauge map-entry key alike. */
  readonly name: Uint8Array;
  /** Everything after the timestamp up to the value (computed with the rest, so the shape never changes). */
  readonly heads: EncodedHeads;
}

export interface EncodedHeads {
  /** source_id, instance_id, tags, then the counter field tag (0x2a). */
  counter: Uint8Array;
  /** …then the gauge up to and including the GaugeValue.value tag (a nonzero double follows). */
  gauge: Uint8Array;
  /** …the gauge when its value is +0 (proto3 leaves the double out, so the lengths differ). */
  gaugeZero: Uint8Array;
}

/** Why a sample produced no envelope, or was sent altered. Used as the `reason` of drop counts. */
export const CounterOutcome = {
  EXACT: 0,
  TRUNCATED: 1,
  CLAMPED: 2,
  NEGATIVE: 3,
  NAN: 4,
  INFINITE: 5,
} as const;
export type CounterOutcome = (typeof CounterOutcome)[keyof typeof CounterOutcome];

export const MAX_UINT64 = 18446744073709551615n;
const TWO_POW_64 = 2 ** 64;

/** How a counter value maps onto uint64, with Go's undefined cases made explicit. */
export function classifyCounter(v: number): CounterOutcome {
  if (v >= 0) {
    if (v >= TWO_POW_64) return v === Number.POSITIVE_INFINITY ? CounterOutcome.INFINITE : CounterOutcome.CLAMPED;
    return Math.floor(v) === v ? CounterOutcome.EXACT : CounterOutcome.TRUNCATED;
  }
  if (Number.isNaN(v)) return CounterOutcome.NAN;
  return v === Number.NEGATIVE_INFINITY ? CounterOutcome.INFINITE : CounterOutcome.NEGATIVE;
}

/** Which envelope a sample of a family type becomes; see README.md for the table. */
export function envelopeShape(
  type: MetricType,
  name: string,
  family: string,
): { kind: EnvelopeKind; unitFromLabel: boolean; floatTag: 'le' | 'quantile' | null } {
  const suffix = sampleSuffix(name, family);
  switch (type) {
    case 'gauge':
    case 'untyped':
    case 'unknown':
      return { kind: 'gauge', unitFromLabel: true, floatTag: null };
    case 'counter':
      return { kind: suffix === '_created' ? 'gauge' : 'counter', unitFromLabel: false, floatTag: null };
    case 'histogram':
      if (suffix === '_bucket') return { kind: 'counter', unitFromLabel: false, floatTag: 'le' };
      return { kind: suffix === '_count' ? 'counter' : 'gauge', unitFromLabel: false, floatTag: null };
    case 'summary':
      if (suffix === '') return { kind: 'gauge', unitFromLabel: false, floatTag: 'quantile' };
      return { kind: suffix === '_count' ? 'counter' : 'gauge', unitFromLabel: false, floatTag: null };
    case 'gaugehistogram':
      return { kind: 'gauge', unitFromLabel: false, floatTag: suffix === '_bucket' ? 'le' : null };
    case 'stateset':
    case 'info':
      return { kind: 'gauge', unitFromLabel: false, floatTag: null };
  }
}

const SUFFIXES = ['_bucket', '_count', '_sum', '_created', '_gcount', '_gsum', '_total', '_info'];

/** The part of the sample name after the family name; by known suffix when relabeling renamed it. */
function sampleSuffix(name: string, family: string): string | null {
  if (name === family) return '';
  if (name.length > family.length && name.startsWith(family)) return name.slice(family.length);
  for (const s of SUFFIXES) if (name.endsWith(s)) return s;
  return null;
}

/** Reads a `le`/`quantile` label value as Prometheus does (`+Inf`, `1e-05`, `0.5`); null if not a number. */
export function parseFloatLabel(s: string): number | null {
  switch (s.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
  }
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

/**
 * Per-series conversion: source id, tags and kind, plus the constant bytes of the envelope.
 * `series.labels` are the final labels (target labels merged in, sorted by name).
 */
export function prepareEnvelope(
  target: Pick<ScrapeTarget, 'sourceId' | 'instanceId'>,
  series: SeriesDescriptor,
  options: ConvertOptions,
): PreparedEnvelope {
  const shape = envelopeShape(series.type, series.name, series.family);
  let sourceId = '';
  let unit = '';
  const tags: string[] = [];
  const l = series.labels;
  for (let i = 0; i + 1 < l.length; i += 2) {
    const k = l[i] as string;
    let v = l[i + 1] as string;
    if (k === 'source_id') {
      sourceId = v;
      continue;
    }
    if (k === 'unit' && shape.unitFromLabel) {
      unit = v;
      continue;
    }
    if (k === shape.floatTag) {
      const f = parseFloatLabel(v);
      if (f !== null) v = formatGoFloat(f);
    }
    tags.push(k, v);
  }
  if (sourceId === '') sourceId = target.sourceId !== '' ? target.sourceId : options.defaultSourceId;
  const instanceId = target.instanceId;
  return new PreparedEnvelope(
    shape.kind,
    series.name,
    sourceId,
    instanceId,
    unit,
    tags,
    prepareBytes(sourceId, series.name, unit, instanceId, tags),
  );
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Milliseconds (fractional allowed, or a bigint) → int64 nanoseconds, clamped to the int64 range. */
export function timestampNs(ms: TimestampMs): bigint {
  let ns: bigint;
  if (typeof ms === 'bigint') ns = ms * 1000000n;
  else if (Number.isInteger(ms)) ns = BigInt(ms) * 1000000n;
  else if (Number.isFinite(ms)) {
    const whole = Math.trunc(ms);
    ns = BigInt(whole) * 1000000n + BigInt(Math.round((ms - whole) * 1e6));
  } else ns = ms > 0 ? INT64_MAX : ms < 0 ? INT64_MIN : 0n;
  return ns > INT64_MAX ? INT64_MAX : ns < INT64_MIN ? INT64_MIN : ns;
}

/** The envelope one sample becomes, as plain data (before protobuf). */
export interface EnvelopeData {
  timestampNs: bigint;
  sourceId: string;
  instanceId: string;
  tags: Labels;
  counter?: { name: string; total: bigint };
  gauge?: { name: string; unit: string; value: number };
}

export type Conversion =
  | { ok: true; envelope: EnvelopeData; outcome: CounterOutcome }
  | { ok: false; reason: DropReason; outcome: CounterOutcome };

/** Reasons an envelope was not delivered; the `reason` label of the dropped count. */
export type DropReason =
  | 'counter_fractional'
  | 'counter_overflow'
  | 'counter_negative'
  | 'counter_nan'
  | 'counter_infinite'
  | 'queue_full'
  | 'send_error'
  | 'shutdown';

/** What `policy` does with a counter value of the given outcome: a total, a gauge, or a drop. */
export function counterDecision(outcome: CounterOutcome, policy: CounterFloatPolicy): 'total' | 'gauge' | DropReason {
  if (outcome === CounterOutcome.EXACT) return 'total';
  if (policy === 'gauge') return 'gauge';
  switch (outcome) {
    case CounterOutcome.TRUNCATED:
      return policy === 'truncate' ? 'total' : 'counter_fractional';
    case CounterOutcome.CLAMPED:
      return policy === 'truncate' ? 'total' : 'counter_overflow';
    case CounterOutcome.NEGATIVE:
      return 'counter_negative';
    case CounterOutcome.NAN:
      return 'counter_nan';
    default:
      return 'counter_infinite';
  }
}

/** uint64 total for a counter value already classified EXACT, TRUNCATED or CLAMPED. */
export function counterTotal(v: number, outcome: CounterOutcome): bigint {
  if (outcome === CounterOutcome.CLAMPED) return MAX_UINT64;
  return BigInt(Math.trunc(v));
}

/** The per-sample half of a conversion: pure, used by the CLI and the tests (the sink encodes directly). */
export function toEnvelope(
  prepared: PreparedEnvelope,
  value: number,
  timestampMs: TimestampMs,
  policy: CounterFloatPolicy = 'drop',
): Conversion {
  const base = { timestampNs: timestampNs(timestampMs), sourceId: prepared.sourceId, instanceId: prepared.instanceId, tags: prepared.tags };
  if (prepared.kind === 'gauge') {
    return { ok: true, outcome: CounterOutcome.EXACT, envelope: { ...base, gauge: { name: prepared.name, unit: prepared.unit, value } } };
  }
  const outcome = classifyCounter(value);
  const d = counterDecision(outcome, policy);
  if (d === 'total')
    return { ok: true, outcome, envelope: { ...base, counter: { name: prepared.name, total: counterTotal(value, outcome) } } };
  if (d === 'gauge') return { ok: true, outcome, envelope: { ...base, gauge: { name: prepared.name, unit: '', value } } };
  return { ok: false, reason: d, outcome };
}
