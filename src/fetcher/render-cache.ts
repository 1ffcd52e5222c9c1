import {
  CachedSeries,
  type ExpositionFormat,
  INVALID,
  type Labels,
  type MetricFamily,
  type MetricType,
  omTimestamp,
  type PredictedSeries,
  parseExposition,
  readFloat,
  readInt64,
  resolveFormat,
  type SampleVisitor,
  type SeriesKey,
  SeriesKeyCache,
  sameBytes,
  type TimestampMs,
  viewOf,
} from '../exposition/index.js';
import {
  formatValue,
  headHadReserved,
  plan,
  type RenderedFamily,
  type RenderedSource,
  renderHead,
  renderSource,
  renderTargetLabels,
  textTimestamp,
} from './render.js';
import { copyInto, type SharedBufferPool } from './shared-buffer-pool.js';
import { writeTimestampBytes, writeValueBytes } from './value-bytes.js';

/** `RenderEntry.bits`: what the series means for its family's name and for de-duplication. */
const TOTAL = 1;
const INFO = 2;
const RESERVED = 4;
const CREATED = 8;

/**
 * What one source's cache remembers about one exposed series: its rendered head (key storage,
 * hashing and order come from `CachedSeries` / `SeriesKeyCache`).
 */
export class RenderEntry extends CachedSeries {
  /** The last value and its text: unchanged values (gauges, idle counters) are not formatted again. */
  lastValue = Number.NaN;
  lastText = '';

  constructor(
    name: string,
    family: string,
    type: MetricType,
    /** `name{own labels,target labels} ` (UTF-8, with the blank before the value) in the output format. */
    readonly head: Uint8Array,
    /**
     * TOTAL/INFO: the sample is `<family>_total` / `<family>_info` (a `_created` sample counts as
     * both), which decides the family name in text output; RESERVED: the source set a reserved
     * label on it, so its family is de-duplicated; CREATED: text output moves it to its own family.
     */
    readonly bits: number,
    pass: number,
  ) {
    super(name, family, type, pass);
  }
}

/** One family's lines in one render: runs of consecutive lines in the output buffer. */
class FamilyLines {
  /** Line indexes [runs[2i], runs[2i+1]) of the render. */
  readonly runs: number[] = [];
  /** AND of the entries' bits (TOTAL, INFO) and OR of them (RESERVED, CREATED). */
  all = TOTAL | INFO;
  any = 0;
  constructor(readonly name: string) {}
}

const EMPTY = new Uint8Array(0);
const EMPTY_BUFFER = Buffer.alloc(0);
const HASH = 0x23;
const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;
/** How an OpenMetrics exemplar starts after a value. */
const EXEMPLAR_START = ' # {';

/**
 * The render of one source (one address, path, target labels and output format), kept between
 * requests: a text body is parsed with this cache as the parser's visitor, so a series seen
 * before (same exposed bytes, same family and type) is neither label-parsed nor re-rendered: its
 * line is the cached head bytes plus the value, written straight into the output buffer, the value
 * copied from the body when its bytes are already what the formatter would write
 * (`writeValueBytes`). The cache predicts each line from the last good render's order (one byte
 * comparison), falls back to a lookup by the exposed key, and renders a miss exactly as
 * `renderSource` does. Entries a successful render did not see are evicted, and a failed render
 * takes back what it added, so memory is bounded by the source's series. OpenMetrics bodies go
 * through the cache too (without the skeleton replay, which reads text lines), except into
 * OpenMetrics output when they may carry exemplars, which only `renderSource` keeps.
 */
export class SourceRenderCache implements SampleVisitor {
  private readonly keys = new SeriesKeyCache<RenderEntry>();
  /** The source's HELP/TYPE/UNIT lines, replayed by the parser when unchanged (`SampleVisitor.comments`). */
  readonly comments = this.keys.comments;
  private readonly suffix: string;
  private readonly om: boolean;
  /** Output bytes of the last render: the next one's buffer size. */
  private lastBytes = 0;
  // Per render:
  private out: Buffer = EMPTY_BUFFER;
  /** The pool the lines of this render go to, if any. */
  private pool: SharedBufferPool | null = null;
  /** This render's lines stay in `out`, lent to the caller until the next render (see `render`). */
  private borrow = false;
  /** The last parsed body's lines, to render the next body without parsing it when only values changed. */
  private skeleton: Skeleton | null = null;
  private pos = 0;
  /** Each line's entry and start in `out` (line i ends where line i + 1 starts). */
  private lineEntries: RenderEntry[] = [];
  private lineStarts: number[] = [];
  private lines = 0;
  private families = new Map<string, FamilyLines>();
  private current: FamilyLines | null = null;
  private hits = 0;
  /** The line `predict` matched: where its value bytes are. */
  private predictedEntry: RenderEntry | null = null;
  private lineBuf: Buffer = EMPTY_BUFFER;
  private lineStart = 0;
  private lineEnd = 0;

  constructor(
    readonly target: Labels,
    readonly format: ExpositionFormat,
  ) {
    this.suffix = renderTargetLabels(target);
    this.om = format === 'openmetrics';
  }

  /** Series cached. */
  get size(): number {
    return this.keys.size;
  }

  /** Series of the last render that came from the cache (tests, diagnostics). */
  get lastHits(): number {
    return this.hits;
  }

  /**
   * Parses `body` and renders it; same result as `renderSource(parseExposition(body), …)`. With a
   * `pool`, the lines may be written into one of its slots (then `RenderedSource.slot`). With
   * `borrow`, they are views into this cache's own buffer, valid until it renders again: for a
   * caller that copies them at once (a render worker placing them in its response arena).
   */
  render(body: Buffer, contentType: string | null, pool: SharedBufferPool | null = null, borrow = false): RenderedSource {
    const input = resolveFormat({ contentType });
    // Exemplars are not visited: OpenMetrics output, which carries them, takes the plain path for
    // a body that may have one.
    if (input !== 'text' && this.om && body.includes(EXEMPLAR_START))
      return renderSource(parseExposition(body, { contentType }), this.target, this.format, body.length);
    this.pool = borrow ? null : pool;
    this.borrow = borrow;
    if (input === 'text' && this.skeleton !== null) {
      this.startRender(body.length);
      const replayed = this.replay(body, this.skeleton);
      if (replayed !== null) {
        const out = this.write(this.skeleton.families);
        this.reset();
        return out;
      }
    }
    this.startRender(body.length);
    this.keys.begin();
    this.keys.setFormat(input);
    let families: MetricFamily[];
    try {
      families = parseExposition(body, { format: input, visitor: this });
    } catch (err) {
      this.keys.rollback();
      this.reset();
      throw err;
    }
    // The skeleton replay reads text lines only.
    const sk = input === 'text' ? this.skeletonOf(body, families) : null;
    this.skeleton = sk;
    const out = this.write(families);
    // The family runs just written are those of every replay of this skeleton (same lines).
    if (sk !== null) sk.lineFamilies = this.families;
    this.keys.commit();
    this.reset();
    return out;
  }

  private startRender(bodyBytes: number): void {
    this.hits = 0;
    this.families = new Map();
    this.current = null;
    this.lines = 0;
    // Never from Node's shared pool: a worker may transfer the whole ArrayBuffer.
    if (this.out.length === 0)
      this.out = Buffer.allocUnsafeSlow(this.lastBytes > 0 ? this.lastBytes + (this.lastBytes >> 3) + 4096 : 2 * bodyBytes + 65536);
    this.pos = 0;
  }

  /**
   * The body's lines after a good parse: its sample lines' entries and its other lines' bytes, for
   * `replay`. Null when a line is not one `replay` can match (a sample line starting with blanks,
   * a last line without newline).
   */
  private skeletonOf(body: Buffer, families: MetricFamily[]): Skeleton | null {
    const entries: RenderEntry[] = [];
    const heads: Uint8Array[] = [];
    const starts: number[] = [];
    const lengths: number[] = [];
    let sample = 0;
    for (let pos = 0; pos < body.length; ) {
      const nl = body.indexOf(NL, pos);
      if (nl === -1) return null;
      let p = pos;
      while (body[p] === SP || body[p] === TAB) p++;
      if (p === nl || body[p] === HASH) {
        entries.push(PLACEHOLDER);
        heads.push(EMPTY);
        lengths.push(nl - pos);
      } else {
        const e = this.lineEntries[sample++];
        if (p !== pos || e === undefined) return null;
        entries.push(e);
        heads.push(e.head);
        lengths.push(e.keyLength);
      }
      starts.push(pos);
      pos = nl + 1;
    }
    if (sample !== this.lines) return null;
    let special = false;
    for (const f of this.families.values()) if ((f.any & (RESERVED | CREATED)) !== 0) special = true;
    // A copy: the body's memory may be reused for the next body (a worker's input buffer).
    return {
      body: Buffer.from(body),
      families,
      entries,
      heads,
      starts,
      lengths,
      samples: this.lineEntries.slice(0, sample),
      special,
      lineFamilies: new Map(),
    };
  }

  /**
   * The render of a body whose lines are those of the last parsed body, but for the values and
   * timestamps: every other byte compared with that body, every value and timestamp checked as
   * the parser checks them. The parser's verdict on everything else (names, labels, HELP, TYPE,
   * families) depends only on those bytes, so it is the one it gave that body. Null, with nothing
   * kept, at the first line that differs otherwise: the caller then parses the body.
   */
  private replay(body: Buffer, sk: Skeleton): MetricFamily[] | null {
    const prev = sk.body;
    const a = viewOf(body);
    const b = viewOf(prev);
    const { entries, heads, starts, lengths } = sk;
    const lineStarts = this.lineStarts;
    const n = body.length;
    let pos = 0;
    let line = 0;
    for (let i = 0; i < entries.length; i++) {
      const head = heads[i] as Uint8Array;
      const len = lengths[i] as number;
      if (pos + len >= n || !sameBytes(a, pos, b, starts[i] as number, len)) return null;
      if (head === EMPTY) {
        if (body[pos + len] !== NL) return null;
        pos += len + 1;
        continue;
      }
      let vs = pos + len;
      if (body[vs] !== SP && body[vs] !== TAB) return null;
      while (body[vs] === SP || body[vs] === TAB) vs++;
      let ve = vs;
      while (ve < n && body[ve] !== SP && body[ve] !== TAB && body[ve] !== NL) ve++;
      if (ve >= n) return null;
      let nl = ve;
      let ts0 = ve;
      if (body[ve] !== NL) {
        while (body[ts0] === SP || body[ts0] === TAB) ts0++;
        nl = ts0;
        while (nl < n && body[nl] !== SP && body[nl] !== TAB && body[nl] !== NL) nl++;
        if (nl >= n || body[nl] !== NL) return null;
      }
      // The line's head: the family runs and entries are the skeleton's (see `lineFamilies`).
      if (this.pos + head.length + 128 > this.out.length) this.grow(head.length + 128);
      if (line < lineStarts.length) lineStarts[line] = this.pos;
      else lineStarts.push(this.pos);
      line++;
      this.out.set(head, this.pos);
      this.pos += head.length;
      if (!this.writeValue(entries[i] as RenderEntry, body, vs, ve, ts0, nl)) return null;
      pos = nl + 1;
    }
    if (pos !== n) return null;
    this.lines = line;
    this.families = sk.lineFamilies;
    this.current = null;
    if (sk.special) for (let k = 0; k < line; k++) this.lineEntries[k] = sk.samples[k] as RenderEntry;
    this.hits = line;
    return sk.families;
  }

  /**
   * The line's value (and timestamp) in body[vs, ve) (and body[ts0, nl)): copied when the bytes
   * are what the formatter would write, else read and formatted. False when they do not read as
   * a number (and integer timestamp).
   */
  private writeValue(e: RenderEntry, body: Buffer, vs: number, ve: number, ts0: number, nl: number): boolean {
    let p = writeValueBytes(body, vs, ve, this.out, this.pos);
    if (p !== -1 && nl !== ve) {
      if (this.om) p = -1;
      else {
        this.out[p] = SP;
        p = writeTimestampBytes(body, ts0, nl, this.out, p + 1);
      }
    }
    if (p !== -1) {
      this.out[p] = NL;
      this.pos = p + 1;
      return true;
    }
    const value = readFloat(body, vs, ve);
    if (value === INVALID) return false;
    let ts: TimestampMs | null = null;
    if (nl !== ve) {
      const t = readInt64(body, ts0, nl);
      if (t === INVALID) return false;
      ts = t;
    }
    this.writeTail(e, value, ts);
    return true;
  }

  private reset(): void {
    this.families = new Map();
    this.current = null;
    // The output buffer is kept for the next render when the lines went to a pool slot (or are lent).
    if (this.pool === null && !this.borrow) this.out = EMPTY_BUFFER;
    this.pool = null;
    this.borrow = false;
    this.lineBuf = EMPTY_BUFFER;
    this.predictedEntry = null;
  }

  predict(buf: Buffer, start: number, end: number): RenderEntry | null {
    const e = this.keys.predict(buf, start, end);
    if (e !== null) {
      this.predictedEntry = e;
      this.lineBuf = buf;
      this.lineStart = start;
      this.lineEnd = end;
    }
    return e;
  }

  keyOf(series: PredictedSeries, out: SeriesKey): void {
    this.keys.keyOf(series as RenderEntry, out);
  }

  predicted(value: number, ts: TimestampMs | null): void {
    const e = this.predictedEntry as RenderEntry;
    this.keys.touch(e); // a duplicate in one body is written again; `write` de-duplicates
    this.hits++;
    this.startLine(e);
    // The value (and timestamp) as exposed, when their bytes can be written as they are.
    const buf = this.lineBuf as Buffer;
    const end = this.lineEnd;
    let vs = this.lineStart + e.keyLength;
    while (buf[vs] === SP || buf[vs] === TAB) vs++;
    let ve = vs;
    while (ve < end && buf[ve] !== SP && buf[ve] !== TAB && buf[ve] !== NL) ve++;
    let ts0 = ve;
    while (buf[ts0] === SP || buf[ts0] === TAB) ts0++;
    if (ts !== null ? !this.writeValue(e, buf, vs, ve, ts0, end) : !this.writeValue(e, buf, vs, ve, ve, ve)) this.writeTail(e, value, ts);
  }

  known(key: SeriesKey, family: MetricFamily, value: number, ts: TimestampMs | null): boolean {
    const e = this.keys.get(key);
    if (e === undefined || e.family !== family.name || e.type !== family.type) return false;
    this.keys.touch(e);
    this.hits++;
    this.startLine(e);
    this.writeTail(e, value, ts);
    return true;
  }

  sample(key: SeriesKey, family: MetricFamily, name: string, labels: Labels, value: number, ts: TimestampMs | null): void {
    const cached = this.keys.get(key); // labels-first lines (`{"utf8.name"}`) skip `known`
    if (cached !== undefined && cached.family === family.name && cached.type === family.type) {
      this.keys.touch(cached);
      this.hits++;
      this.startLine(cached);
      this.writeTail(cached, value, ts);
      return;
    }
    const p = plan(family, this.format);
    const head = Buffer.from(`${renderHead(p.rename === null ? name : p.rename(name), labels, this.suffix, this.target)} `);
    let bits = headHadReserved() ? RESERVED : 0;
    if (p.splitCreated && name === `${family.name}_created`) bits |= CREATED | TOTAL | INFO;
    if (name === `${family.name}_total`) bits |= TOTAL;
    if (name === `${family.name}_info`) bits |= INFO;
    const e = new RenderEntry(name, family.name, family.type, head, bits, this.keys.iteration);
    // A key cached under another family or type is shadowed (the source changed its TYPE).
    this.keys.add(e, key);
    this.startLine(e);
    this.writeTail(e, value, ts);
  }

  /** Records the line and writes its head; the value follows. */
  private startLine(e: RenderEntry): void {
    let f = this.current;
    if (f === null || f.name !== e.family) {
      if (f !== null) f.runs.push(this.lines);
      f = this.families.get(e.family) ?? null;
      if (f === null) {
        f = new FamilyLines(e.family);
        this.families.set(e.family, f);
      }
      f.runs.push(this.lines);
      this.current = f;
    }
    f.all &= e.bits;
    f.any |= e.bits;
    const n = this.lines++;
    // Each on its own: `write` and `replay` also set line starts, so the lengths differ.
    if (n < this.lineEntries.length) this.lineEntries[n] = e;
    else this.lineEntries.push(e);
    if (n < this.lineStarts.length) this.lineStarts[n] = this.pos;
    else this.lineStarts.push(this.pos);
    const head = e.head;
    // Room for the head and the longest value and timestamp the tail writers produce.
    if (this.pos + head.length + 128 > this.out.length) this.grow(head.length + 128);
    this.out.set(head, this.pos);
    this.pos += head.length;
  }

  /** The value (and timestamp) formatted from the parsed numbers, then the newline. */
  private writeTail(e: RenderEntry, value: number, ts: TimestampMs | null): void {
    let text: string;
    if (value === e.lastValue && (value !== 0 || 1 / value === 1 / e.lastValue)) text = e.lastText;
    else {
      text = formatValue(value);
      e.lastValue = value;
      e.lastText = text;
    }
    if (ts !== null) text = `${text} ${this.om ? omTimestamp(ts) : textTimestamp(ts)}`;
    if (this.pos + text.length + 1 > this.out.length) this.grow(text.length + 1);
    const out = this.out;
    let p = this.pos;
    for (let i = 0; i < text.length; i++) out[p++] = text.charCodeAt(i); // ASCII
    out[p++] = NL;
    this.pos = p;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.pos + need + 65536));
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  /** Families in order of first appearance, written as `renderSource` writes them. */
  private write(families: readonly MetricFamily[]): RenderedSource {
    const starts = this.lineStarts;
    if (this.current !== null) this.current.runs.push(this.lines);
    starts[this.lines] = this.pos;
    // Byte ranges per output family; families assembled from several runs are appended after
    // the lines, so that every family ends up in the one buffer (a worker transfers it whole).
    const ranges: { name: string; type: string; help: string | null; unit: string | null; start: number; end: number }[] = [];
    let series = 0;
    let duplicates = 0;
    for (const fam of families) {
      const lines = this.families.get(fam.name);
      if (lines === undefined || lines.runs.length === 0) continue;
      const p = plan(fam, this.format);
      let name = p.name;
      if (!this.om && fam.type === 'counter' && (lines.all & TOTAL) !== 0) name = `${fam.name}_total`;
      if (!this.om && fam.type === 'info' && (lines.all & INFO) !== 0) name = `${fam.name}_info`;
      const runs = lines.runs;
      const unit = this.om ? fam.unit : null;
      if ((lines.any & (RESERVED | CREATED)) === 0) {
        let count = 0;
        for (let r = 0; r < runs.length; r += 2) count += (runs[r + 1] as number) - (runs[r] as number);
        series += count;
        let start: number;
        if (runs.length === 2) start = starts[runs[0] as number] as number;
        else {
          start = this.pos;
          for (let r = 0; r < runs.length; r += 2)
            this.append(starts[runs[r] as number] as number, starts[runs[r + 1] as number] as number);
        }
        const end = runs.length === 2 ? (starts[runs[1] as number] as number) : this.pos;
        ranges.push({ name, type: p.type, help: fam.help, unit, start, end });
        continue;
      }
      // De-duplication (first wins) and `_created` lines: line by line.
      const seen = new Set<string>();
      const dedupe = (lines.any & RESERVED) !== 0;
      const created: number[] = [];
      const start = this.pos;
      for (let r = 0; r < runs.length; r += 2) {
        for (let i = runs[r] as number; i < (runs[r + 1] as number); i++) {
          const e = this.lineEntries[i] as RenderEntry;
          if (dedupe) {
            const head = Buffer.from(e.head).toString();
            if (seen.has(head)) {
              duplicates++;
              continue;
            }
            seen.add(head);
          }
          series++;
          if ((e.bits & CREATED) !== 0) created.push(i);
          else this.append(starts[i] as number, starts[i + 1] as number);
        }
      }
      if (this.pos > start) ranges.push({ name, type: p.type, help: fam.help, unit, start, end: this.pos });
      if (created.length > 0) {
        const cs = this.pos;
        for (const i of created) this.append(starts[i] as number, starts[i + 1] as number);
        ranges.push({ name: `${fam.name}_created`, type: 'gauge', help: null, unit: null, start: cs, end: this.pos });
      }
    }
    this.lastBytes = this.pos;
    for (let i = 0; i < this.lines; i++) this.lineEntries[i] = PLACEHOLDER;
    // Lines are written to this cache's own buffer (copying them line by line into shared
    // memory costs more), then to a pool slot in one copy; without a slot, the buffer goes along.
    const slot = this.pool?.take(Math.max(this.pos, 1)) ?? null;
    if (slot !== null) copyInto(slot.buf, this.out.subarray(0, this.pos), 0);
    else this.pool = null;
    const out = slot !== null ? slot.buf : this.out;
    const rendered: RenderedFamily[] = ranges.map((r) => ({
      name: r.name,
      type: r.type,
      help: r.help,
      unit: r.unit,
      lines: out.subarray(r.start, r.end),
    }));
    return slot !== null ? { families: rendered, series, duplicates, slot } : { families: rendered, series, duplicates };
  }

  /** Copies out[from, to) to the end of the output. */
  private append(from: number, to: number): void {
    if (this.pos + (to - from) > this.out.length) this.grow(to - from);
    this.out.copyWithin(this.pos, from, to);
    this.pos += to - from;
  }

  /** Bytes held for keys (tests). */
  get arenaBytes(): number {
    return this.keys.arenaBytes;
  }
}

/** The lines of the last parsed body (see `SourceRenderCache.replay`). */
interface Skeleton {
  /** The parsed body (later bodies are compared with it, so it is kept as it is). */
  readonly body: Buffer;
  readonly families: MetricFamily[];
  /** Per line: the sample's entry, or PLACEHOLDER for another line (HELP, TYPE, comment, blank). */
  readonly entries: RenderEntry[];
  /** Per line: the sample's rendered head, or EMPTY for another line. */
  readonly heads: Uint8Array[];
  /** The sample lines' entries in order (`write` reads them to de-duplicate and split `_created`). */
  readonly samples: RenderEntry[];
  /** Some family needs `samples` (a reserved label was set, or `_created` lines are split off). */
  readonly special: boolean;
  /** The family runs of the parsed render, closed: every replay's lines run the same way. */
  lineFamilies: Map<string, FamilyLines>;
  /** Per line: its start in `body` and the bytes compared (a sample's key, another line whole). */
  readonly starts: number[];
  readonly lengths: number[];
}

/** Fills released line slots, so that they do not keep evicted entries alive. */
const PLACEHOLDER = new RenderEntry('', '', 'untyped', EMPTY, 0, 0);

/**
 * Series one thread's caches may hold in all (~1.1 KiB each with 9 target labels: the rendered head,
 * the key, the entry); least recently used sources go first.
 */
export const RENDER_CACHE_MAX_SERIES = 100_000;
/** A source not rendered for this long is forgotten (instances come and go). */
export const RENDER_CACHE_MAX_IDLE_MS = 10 * 60_000;

class Slot {
  constructor(
    readonly cache: SourceRenderCache,
    public used: number,
    public size: number,
  ) {}
}

/** A source's cache key in `RenderCaches` (`render` takes it precomputed from a caller that keeps it). */
export function renderCacheKey(format: ExpositionFormat, sourceKey: string, target: Labels): string {
  return `${format}\u0000${sourceKey}\u0000${target.join('\u0000')}`;
}

/**
 * The render caches of one thread, one per source key (address + path, output format, target
 * labels), least recently used first, bounded in series and idle time.
 */
export class RenderCaches {
  private readonly slots = new Map<string, Slot>();
  private total = 0;

  constructor(
    readonly maxSeries = RENDER_CACHE_MAX_SERIES,
    readonly maxIdleMs = RENDER_CACHE_MAX_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sources cached / series cached in all. */
  get sources(): number {
    return this.slots.size;
  }
  get series(): number {
    return this.total;
  }

  render(
    sourceKey: string,
    body: Buffer,
    contentType: string | null,
    target: Labels,
    format: ExpositionFormat,
    pool: SharedBufferPool | null = null,
    key = renderCacheKey(format, sourceKey, target),
    borrow = false,
  ): RenderedSource {
    const now = this.now();
    let slot = this.slots.get(key);
    if (slot === undefined) slot = new Slot(new SourceRenderCache(target, format), now, 0);
    else this.slots.delete(key); // re-inserted below: Map order is recency
    slot.used = now;
    this.slots.set(key, slot);
    try {
      return slot.cache.render(body, contentType, pool, borrow);
    } finally {
      this.total += slot.cache.size - slot.size;
      slot.size = slot.cache.size;
      this.trim(now, slot);
    }
  }

  private trim(now: number, keep: Slot): void {
    for (const [k, s] of this.slots) {
      if (s === keep) break;
      if (this.total <= this.maxSeries && now - s.used <= this.maxIdleMs) break;
      this.slots.delete(k);
      this.total -= s.size;
    }
  }
}
