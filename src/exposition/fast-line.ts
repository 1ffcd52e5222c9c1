import { B, C, charClass, sameBytes, viewOf } from './bytes.js';
import { internAscii } from './intern.js';
import { finishKeyHash, foldToken, labelToken, startKeyHash, TOKEN_PRIME, TOKEN_SEED } from './key-hash.js';
import { INVALID, readFloat, readInt64 } from './number.js';
import type { MetricFamily, TimestampMs } from './types.js';

// Module-level copies of the constants: V8 folds a module's own `const` numbers into the code,
// while every `B.X` of an imported object is a load and a check inside the hottest loops.
const TAB = B.TAB;
const NL = B.NL;
const SP = B.SP;
const QUOTE = B.QUOTE;
const COMMA = B.COMMA;
const EQ = B.EQ;
const BSLASH = B.BSLASH;
const LBRACE = B.LBRACE;
const RBRACE = B.RBRACE;
const NAME_START = C.NAME_START;
const NAME = C.NAME;
const LABEL_START = C.LABEL_START;
const LABEL = C.LABEL;
/** The token hash (key-hash.ts), written out in the loops: `h = Math.imul(h ^ c, PRIME)` from `SEED`. */
const SEED = TOKEN_SEED;
const PRIME = TOKEN_PRIME;

const NAME_SLOTS = 256;
const MAX_LABELS = 64;
const NOT_SPECIAL = 0;
const LE = 1;
const QUANTILE = 2;

const NO_BUFFER = Buffer.alloc(0);
const NO_VIEW = new DataView(new ArrayBuffer(0));

/** How many leading bytes [a, a+n) and [b, b+n) of one buffer share; four at a time. */
function commonPrefix(dv: DataView, a: number, b: number, n: number): number {
  let i = 0;
  while (i + 4 <= n && dv.getInt32(a + i, true) === dv.getInt32(b + i, true)) i += 4;
  while (i < n && dv.getUint8(a + i) === dv.getUint8(b + i)) i++;
  return i;
}

/**
 * The optimistic single pass of the parsers for the common sample line of an ASCII body:
 * `name{l1="v1",l2="v2"} value [timestamp]` with no blanks inside the braces, no escapes, no
 * quoted names and no trailing comma (OpenMetrics: one space, no timestamp, no exemplar). `scan`
 * either reads the whole line or returns -1 having changed nothing the slow path relies on; the
 * caller then parses that line again with the exact parser, so every error message and every
 * rarer form keeps one implementation.
 *
 * Every loop stops at the line's `\n`, so the caller must only scan lines that have one.
 * Names and values are compared with the previous line's bytes in the same buffer (series of
 * one family share their name, label names and most values), so a repeated token costs a word
 * compare and no string; only label names that differ are sliced and checked for duplicates and
 * `__name__`. Each token's hash is kept beside its string (a skipped token's is the previous
 * line's), and the series key's hash is folded from them (`keyHash`, key-hash.ts).
 */
export class FastLine {
  /** Direct-mapped by hash: sample names seen, and the family each resolved to (set by the caller). */
  readonly names: Array<string | undefined> = new Array(NAME_SLOTS).fill(undefined);
  readonly families: Array<MetricFamily | null> = new Array(NAME_SLOTS).fill(null);
  /** Where each slot's name was last seen in `buf` (length -1: not in this buffer). */
  private readonly nameStarts = new Int32Array(NAME_SLOTS);
  private readonly nameLengths = new Int32Array(NAME_SLOTS).fill(-1);
  /** Each slot's name's token hash. */
  private readonly nameHashes = new Int32Array(NAME_SLOTS);
  /** Alternating names and values of the line read last, written by index. */
  readonly labels: string[] = [];
  /** `labels[2i]`, i < schemaCount, is duplicate-free and not `__name__`. */
  private schemaCount = 0;
  private readonly kinds = new Uint8Array(MAX_LABELS);
  /** Where label i's name and value were last read in `buf`; they hold `labels[2i]`, `labels[2i+1]`. */
  private readonly labelStarts = new Int32Array(MAX_LABELS);
  private readonly labelLengths = new Int32Array(MAX_LABELS);
  private readonly valueStarts = new Int32Array(MAX_LABELS);
  private readonly valueLengths = new Int32Array(MAX_LABELS).fill(-1);
  /** Token hashes of `labels[2i]` and `labels[2i + 1]`, set with them. */
  private readonly labelHashes = new Int32Array(MAX_LABELS);
  private readonly valueHashes = new Int32Array(MAX_LABELS);
  /**
   * The label set read last (after its `{`) and, per label, its value's closing quote relative to
   * that start: a label set that begins with the same bytes up to a quote has the same labels up
   * to there (histogram and summary lines differ only in their last label). Count 0: none.
   */
  private prevSetStart = 0;
  private prevSetLength = 0;
  private prevSetCount = 0;
  private readonly quoteOffsets = new Int32Array(MAX_LABELS);
  private lastSlot = -1;
  private buf: Buffer = NO_BUFFER;
  private view: DataView<ArrayBufferLike> = NO_VIEW;
  private limit = 0;

  /** Value syntax: OpenMetrics (`scanOpenMetricsValue`) or text. */
  openMetrics = false;

  // Result of a successful scan.
  nameSlot = 0;
  labelCount = 0;
  /** End of the series text `name{…}` (the key a visitor's cache uses). */
  keyEnd = 0;
  value = 0;
  ts: TimestampMs | null = null;
  leStart = -1;
  leEnd = -1;
  quantileStart = -1;
  quantileEnd = -1;
  private labelsEnd = 0;

  /** Before going back to the spares: keep no family of the parse and no buffer. */
  forget(): void {
    this.families.fill(null);
    this.buf = NO_BUFFER;
    this.view = NO_VIEW;
  }

  /**
   * Lines to scan next are in `buf` before `limit`. Positions of earlier lines are dropped even
   * for the same Buffer object: a stream's producer may have refilled it since.
   */
  begin(buf: Buffer, limit: number): void {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = viewOf(buf);
    }
    this.nameLengths.fill(-1);
    this.valueLengths.fill(-1);
    this.schemaCount = 0;
    this.prevSetCount = 0;
    this.lastSlot = -1;
    this.limit = limit;
  }

  /** Reads the line at `start`; returns the position of its `\n`, or -1 to fall back. */
  scan(start: number): number {
    const buf = this.buf;
    const cls = charClass;
    let p = start;
    let c = buf[p] as number;
    if (!(cls[c]! & NAME_START)) return -1;
    let slot = this.lastSlot;
    // The previous line's name again (all series of a family but histogram/summary suffixes)?
    const last = slot >= 0 ? (this.nameLengths[slot] as number) : -1;
    if (
      last > 0 &&
      start + last < this.limit &&
      !(cls[buf[start + last] as number]! & NAME) &&
      sameBytes(this.view, start, this.view, this.nameStarts[slot] as number, last)
    ) {
      p = start + last;
      c = buf[p] as number;
    } else {
      let h = Math.imul(SEED ^ c, PRIME);
      c = buf[++p] as number;
      while (cls[c]! & NAME) {
        h = Math.imul(h ^ c, PRIME);
        c = buf[++p] as number;
      }
      slot = (h ^ (h >>> 8)) & (NAME_SLOTS - 1);
      const len = p - start;
      if (this.nameLengths[slot] !== len || !sameBytes(this.view, start, this.view, this.nameStarts[slot] as number, len)) {
        const name = internAscii(buf, start, p, h);
        if (name !== this.names[slot]) {
          this.names[slot] = name;
          this.families[slot] = null;
        }
        this.nameLengths[slot] = len;
      }
      this.nameHashes[slot] = h;
      this.lastSlot = slot;
    }
    this.nameStarts[slot] = start;
    this.nameSlot = slot;
    this.leStart = -1;
    this.quantileStart = -1;
    let n = 0;
    if (c === LBRACE) {
      n = this.scanLabels(p + 1);
      if (n < 0) return -1;
      p = this.labelsEnd;
      c = buf[p] as number;
    }
    this.labelCount = n;
    this.keyEnd = p;
    if (c !== SP && c !== TAB) return -1;
    return this.openMetrics ? this.scanOpenMetricsValue(p) : this.scanValue(p);
  }

  /** Label i's `labelToken` (key-hash.ts) on the line `scan` read last: its name's and value's token hashes. */
  pairToken(i: number): number {
    return labelToken(this.labelHashes[i] as number, this.valueHashes[i] as number);
  }

  /** The key hash (key-hash.ts) of the line `scan` read last, from its tokens' hashes. */
  keyHash(): number {
    let h = startKeyHash(this.nameHashes[this.nameSlot] as number);
    const n = this.labelCount;
    for (let i = 0; i < n; i++) h = foldToken(h, this.pairToken(i));
    return finishKeyHash(h, n + 1);
  }

  /** Reads the labels after `{` up to and including `}`; returns their count, or -1 to fall back. */
  private scanLabels(start: number): number {
    const buf = this.buf;
    const view = this.view;
    const limit = this.limit;
    const cls = charClass;
    const labels = this.labels;
    const kinds = this.kinds;
    const labelStarts = this.labelStarts;
    const labelLengths = this.labelLengths;
    const valueStarts = this.valueStarts;
    const valueLengths = this.valueLengths;
    const quoteOffsets = this.quoteOffsets;
    let sameSchema = true;
    let p = start;
    let i = 0;
    // Labels whose bytes, through the value's closing quote, equal the previous set's: the
    // previous scan read and checked exactly these bytes, so its names and values stand.
    const prevCount = this.prevSetCount;
    this.prevSetCount = 0;
    if (prevCount > 0) {
      const room = limit - start;
      const same = commonPrefix(view, start, this.prevSetStart, Math.min(this.prevSetLength, room));
      while (i < prevCount && (quoteOffsets[i] as number) < same) {
        const kind = kinds[i];
        if (kind !== NOT_SPECIAL) {
          const end = start + (quoteOffsets[i] as number);
          if (kind === LE) {
            this.leStart = end - (valueLengths[i] as number);
            this.leEnd = end;
          } else {
            this.quantileStart = end - (valueLengths[i] as number);
            this.quantileEnd = end;
          }
        }
        i++;
      }
      if (i > 0) {
        p = start + (quoteOffsets[i - 1] as number) + 1;
        const c = buf[p++] as number;
        if (c === RBRACE) {
          this.schemaCount = i;
          this.labelsEnd = p;
          this.prevSetStart = start;
          this.prevSetCount = i;
          return i;
        }
        if (c !== COMMA) return -1;
      }
    }
    for (;;) {
      if (i === MAX_LABELS) return -1;
      const ls = p;
      let c = buf[p] as number;
      if (!(cls[c]! & LABEL_START)) return -1;
      if (sameSchema && i < this.schemaCount) {
        // Same name as the previous line's at this index: then its bytes need no other check.
        const len = labelLengths[i] as number;
        if (p + len < limit && buf[p + len] === EQ && sameBytes(view, p, view, labelStarts[i] as number, len)) p += len;
        else sameSchema = false;
      } else sameSchema = false;
      if (p === ls) {
        // Names before i are unchanged; from here on this line's names are checked one by one.
        if (i < this.schemaCount) this.schemaCount = i;
        let h = Math.imul(SEED ^ c, PRIME);
        c = buf[++p] as number;
        while (cls[c]! & LABEL) {
          h = Math.imul(h ^ c, PRIME);
          c = buf[++p] as number;
        }
        if (c !== EQ) return -1;
        // Families share label names: one string each, not one per family.
        const name = internAscii(buf, ls, p, h);
        if (name === '__name__') return -1;
        for (let j = 0; j < i; j++) if (labels[2 * j] === name) return -1;
        labels[2 * i] = name;
        this.labelHashes[i] = h;
        labelLengths[i] = p - ls;
        kinds[i] = name === 'le' ? LE : name === 'quantile' ? QUANTILE : NOT_SPECIAL;
      }
      labelStarts[i] = ls;
      if (buf[p + 1] !== QUOTE) return -1;
      p += 2;
      const vs = p;
      let vh = SEED;
      c = buf[p] as number;
      while (c !== QUOTE && c !== BSLASH && c !== NL) {
        vh = Math.imul(vh ^ c, PRIME);
        c = buf[++p] as number;
      }
      if (c !== QUOTE) return -1;
      const len = p - vs;
      if (valueLengths[i] !== len || !sameBytes(view, vs, view, valueStarts[i] as number, len)) {
        labels[2 * i + 1] = internAscii(buf, vs, p, vh);
        valueLengths[i] = len;
      }
      valueStarts[i] = vs;
      this.valueHashes[i] = vh;
      quoteOffsets[i] = p - start;
      const kind = kinds[i];
      if (kind === LE) {
        this.leStart = vs;
        this.leEnd = p;
      } else if (kind === QUANTILE) {
        this.quantileStart = vs;
        this.quantileEnd = p;
      }
      i++;
      c = buf[++p] as number;
      p++;
      if (c === RBRACE) break;
      if (c !== COMMA) return -1;
    }
    this.schemaCount = i;
    this.labelsEnd = p;
    this.prevSetStart = start;
    this.prevSetLength = p - start;
    this.prevSetCount = i;
    return i;
  }

  /**
   * OpenMetrics, `p` on the blank after the series: one space, then a value that ends the line.
   * A timestamp or an exemplar falls back: their rules span the metric point.
   */
  private scanOpenMetricsValue(p: number): number {
    const buf = this.buf;
    if (buf[p] !== SP) return -1;
    let c = buf[++p] as number;
    const vs = p;
    while (c !== SP && c !== NL) c = buf[++p] as number;
    if (c !== NL) return -1;
    const value = readFloat(buf, vs, p, true);
    if (value === INVALID) return -1;
    this.value = value;
    this.ts = null;
    return p;
  }

  /** `p` is on the blank after the series: reads `value [timestamp]` up to the `\n`. */
  private scanValue(p: number): number {
    const buf = this.buf;
    let c = buf[++p] as number;
    while (c === SP || c === TAB) c = buf[++p] as number;
    const vs = p;
    while (c !== SP && c !== TAB && c !== NL) c = buf[++p] as number;
    const value = readFloat(buf, vs, p);
    if (value === INVALID) return -1;
    this.value = value;
    if (c === NL) {
      this.ts = null;
      return p;
    }
    c = buf[++p] as number;
    while (c === SP || c === TAB) c = buf[++p] as number;
    const ts0 = p;
    while (c !== SP && c !== TAB && c !== NL) c = buf[++p] as number;
    if (c !== NL) return -1;
    const ts = readInt64(buf, ts0, p);
    if (ts === INVALID) return -1;
    this.ts = ts;
    return p;
  }
}

/**
 * FastLines of ended parses, for the next ones: a new one allocates seven off-heap typed arrays
 * (~6 us, where parsing a 1,000-series scrape takes ~250 us), and its name slots stay warm.
 */
const spares: FastLine[] = [];
const MAX_SPARES = 16;

export function takeFastLine(openMetrics: boolean): FastLine {
  const f = spares.pop() ?? new FastLine();
  f.openMetrics = openMetrics;
  return f;
}

/** Hands back the FastLine of a parse that has ended; the parse must not use it again. */
export function giveBackFastLine(f: FastLine): void {
  if (spares.length >= MAX_SPARES) return;
  f.forget();
  spares.push(f);
}
