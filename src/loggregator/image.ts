import type { TimestampMs } from '../exposition/index.js';
import {
  type CounterFloatPolicy,
  CounterOutcome,
  classifyCounter,
  counterDecision,
  counterTotal,
  type PreparedEnvelope,
  timestampNs,
} from './convert.js';
import { EnvelopeWriter, timestampField, varintLen, writeVarint } from './encode.js';
import type { LoggregatorMetrics } from './metrics.js';

/**
 * The layout of one encoded envelope beyond its series, packed in an int: enough to know that
 * re-encoding the series with a new value and timestamp gives the same bytes apart from those two,
 * and where they sit. Bits 0-3: timestamp field length; 4-7: length of the value bytes at the end
 * (the gauge double, or the counter total's varint; 0 when proto3 leaves the value out); 8: gauge;
 * 9-11: length of the envelope's length prefix (not part of the match key).
 */
const GAUGE = 1 << 8;
const KEY_MASK = 0x1ff;
const PREFIX_SHIFT = 9;
/** An envelope that is always encoded afresh (counter totals beyond 2^53). */
const NEVER_REUSED = 0x1ff;

/**
 * The envelopes of one scrape of one target, encoded back to back as EnvelopeBatch entries, with
 * the series and layout of each. The sink keeps the last committed image per target: the next
 * scrape of the same series copies runs of it and patches only timestamps and values.
 */
export class EnvelopeImage extends EnvelopeWriter {
  /** The series of each envelope; entries from `count` on are stale (kept: no regrowth each scrape). */
  preps: PreparedEnvelope[] = [];
  shapes: Int32Array;

  constructor() {
    super(16384, 256);
    this.shapes = new Int32Array(256);
  }

  protected override growIndex(n: number): void {
    super.growIndex(n);
    const shapes = new Int32Array(n);
    shapes.set(this.shapes.subarray(0, this.count));
    this.shapes = shapes;
  }

  /** Records the series and layout of the envelope just written (index `count - 1`). */
  record(p: PreparedEnvelope, shape: number): void {
    const j = this.count - 1;
    this.preps[j] = p;
    this.shapes[j] = shape;
    p.slot = j;
  }
}

/** What one appender collected: the samples of one scrape, in order, not yet encoded. */
export class SampleList {
  /** Entries from `count` on are stale, as in EnvelopeImage. */
  preps: PreparedEnvelope[] = [];
  values = new Float64Array(256);
  /** Timestamps in ms; NaN marks a bigint timestamp, kept in `bigTimes` by index. */
  times = new Float64Array(256);
  bigTimes: Map<number, bigint> | null = null;
  count = 0;

  push(p: PreparedEnvelope, value: number, ts: TimestampMs): void {
    const i = this.count;
    if (i === this.values.length) this.grow();
    this.preps[i] = p;
    this.values[i] = value;
    this.times[i] = typeof ts === 'number' ? ts : this.bigTime(i, ts);
    this.count = i + 1;
  }

  clear(): void {
    this.count = 0;
    this.bigTimes = null;
  }

  private bigTime(i: number, ts: bigint): number {
    const big = this.bigTimes ?? new Map<number, bigint>();
    big.set(i, ts);
    this.bigTimes = big;
    return Number.NaN;
  }

  private grow(): void {
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.values = values;
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
  }
}

/**
 * Encodes a scrape's samples into a fresh image. Samples whose series sat in the previous image
 * with the same layout are not re-encoded: consecutive ones form a run that is copied in one
 * piece, then each envelope of the run gets its new timestamp and value. Everything else (new
 * series, a value whose encoded length changed, counter totals beyond 2^53) is encoded from the
 * series' prepared bytes. Either way the bytes are exactly what a fresh encoding gives.
 */
export class ScrapeEncoder {
  /** Envelopes of the last `encode` copied from the previous image rather than encoded. */
  reused = 0;
  private out: EnvelopeImage = new EnvelopeImage();
  private prev: EnvelopeImage | null = null;
  private samples: SampleList = new SampleList();
  private tsField: Uint8Array = new Uint8Array(0);
  /** The run being collected: previous-image slots [runFirst, runNext), written from sample runSample / slot runSlot. */
  private runFirst = -1;
  private runNext = -1;
  private runSample = 0;
  private runSlot = 0;
  private runDst = 0;

  constructor(
    private readonly policy: CounterFloatPolicy,
    private readonly metrics: LoggregatorMetrics,
  ) {}

  encode(samples: SampleList, prev: EnvelopeImage | null, out: EnvelopeImage): void {
    this.samples = samples;
    this.prev = prev;
    this.out = out;
    out.reset();
    this.reused = 0;
    this.runFirst = -1;
    this.runNext = -1;
    const { preps, values, times } = samples;
    const n = samples.count;
    let lastTime = 0;
    let tsLen = -1;
    for (let i = 0; i < n; i++) {
      const p = preps[i] as PreparedEnvelope;
      const v = values[i] as number;
      const t = times[i] as number;
      if (t !== lastTime || tsLen < 0) {
        this.flushRun();
        const ms: TimestampMs = Number.isNaN(t) ? (samples.bigTimes?.get(i) ?? t) : t;
        this.tsField = timestampField(timestampNs(ms));
        tsLen = this.tsField.length;
        lastTime = t;
      }
      let key: number;
      if (p.kind === 'gauge') key = tsLen | GAUGE | (v === 0 && 1 / v > 0 ? 0 : 8 << 4);
      else if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) key = tsLen | ((v === 0 ? 0 : varintLen(v)) << 4);
      else {
        key = this.oddCounter(p, v, tsLen);
        if (key < 0) continue;
      }
      const s = p.slot;
      if (prev !== null && s >= 0 && s < prev.count && prev.preps[s] === p && ((prev.shapes[s] as number) & KEY_MASK) === key) {
        if (s !== this.runNext) {
          this.flushRun();
          this.runFirst = s;
          this.runSample = i;
          this.runSlot = out.count;
          this.runDst = out.pos;
        }
        this.runNext = s + 1;
        // Bookkeeping now; the bytes are copied when the run ends.
        const j = out.reserveIndex();
        out.pos += (prev.ends[s] as number) - (s === 0 ? 0 : (prev.ends[s - 1] as number));
        out.ends[j] = out.pos;
        out.count = j + 1;
        out.record(p, prev.shapes[s] as number);
      } else {
        this.flushRun();
        const prefix = key & GAUGE ? out.writeGauge(p, this.tsField, v) : out.writeCounter(p, this.tsField, v);
        out.record(p, key | (prefix << PREFIX_SHIFT));
      }
    }
    this.flushRun();
    this.prev = null;
  }

  /** Copies the pending run from the previous image, then patches timestamps and values. */
  private flushRun(): void {
    if (this.runFirst < 0) return;
    const prev = this.prev as EnvelopeImage;
    const out = this.out;
    const from = this.runFirst === 0 ? 0 : (prev.ends[this.runFirst - 1] as number);
    const to = prev.ends[this.runNext - 1] as number;
    const end = out.pos;
    out.pos = this.runDst;
    out.ensure(to - from);
    out.buf.set(prev.buf.subarray(from, to), this.runDst);
    out.pos = end;
    patchRun(out, this.runSlot, out.count, this.samples.values, this.runSample, this.tsField);
    this.reused += this.runNext - this.runFirst;
    this.runFirst = -1;
    this.runNext = -1;
  }

  /**
   * Counter values that are not exact safe integers: the policy decides; each case is counted.
   * Returns the layout key when the value goes out as a gauge (encoded like any gauge), else -1
   * after writing a big total or dropping the sample.
   */
  private oddCounter(p: PreparedEnvelope, value: number, tsLen: number): number {
    const m = this.metrics;
    const outcome = classifyCounter(value);
    const d = counterDecision(outcome, this.policy);
    if (d === 'gauge') {
      m.counterValuesAsGauges++;
      return tsLen | GAUGE | (value === 0 && 1 / value > 0 ? 0 : 8 << 4);
    }
    // Not one envelope per sample in order from here: the pending run must end first.
    this.flushRun();
    if (d === 'total') {
      if (outcome === CounterOutcome.TRUNCATED) m.counterValuesTruncated++;
      else if (outcome === CounterOutcome.CLAMPED) m.counterValuesClamped++;
      this.out.writeCounterBig(p, this.tsField, counterTotal(value, outcome));
      this.out.record(p, NEVER_REUSED);
    } else m.envelopesDropped[d]++;
    return -1;
  }
}

/** Writes the timestamp and value of envelopes [j0, j1) of `out`, whose layout is already right. */
function patchRun(out: EnvelopeImage, j0: number, j1: number, values: Float64Array, i0: number, ts: Uint8Array): void {
  const buf = out.buf;
  const view = out.view;
  const ends = out.ends;
  const shapes = out.shapes;
  const tsLen = ts.length;
  // Nanosecond timestamps of this century are 10-byte fields: three stores instead of a loop.
  const words = tsLen === 10;
  const w0 = words ? (ts[0] as number) | ((ts[1] as number) << 8) | ((ts[2] as number) << 16) | ((ts[3] as number) << 24) : 0;
  const w1 = words ? (ts[4] as number) | ((ts[5] as number) << 8) | ((ts[6] as number) << 16) | ((ts[7] as number) << 24) : 0;
  const w2 = words ? (ts[8] as number) | ((ts[9] as number) << 8) : 0;
  let start = j0 === 0 ? 0 : (ends[j0 - 1] as number);
  for (let j = j0, i = i0; j < j1; j++, i++) {
    const end = ends[j] as number;
    const shape = shapes[j] as number;
    const at = start + 1 + ((shape >> PREFIX_SHIFT) & 7);
    if (words) {
      view.setInt32(at, w0, true);
      view.setInt32(at + 4, w1, true);
      view.setUint16(at + 8, w2, true);
    } else for (let k = 0; k < tsLen; k++) buf[at + k] = ts[k] as number;
    const valueLen = (shape >> 4) & 15;
    if (valueLen !== 0) {
      if (shape & GAUGE) view.setFloat64(end - 8, values[i] as number, true);
      else writeVarint(buf, end - valueLen, values[i] as number);
    }
    start = end;
  }
}
