import {
  CachedSeries,
  type ExpositionFormat,
  type Labels,
  type MetricFamily,
  type MetricType,
  omTimestamp,
  parseExposition,
  resolveFormat,
  type SampleVisitor,
  SeriesKeyCache,
  type TimestampMs,
} from '../exposition/index.js';
import {
  ByteWriter,
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
    /** `name{own labels,target labels}` in the cache's output format. */
    readonly head: string,
    /** The source set a reserved label on it: its family is de-duplicated. */
    readonly reserved: boolean,
    /** Text output: a `_created` sample that goes to its own gauge family. */
    readonly created: boolean,
    /** `<family>_total` / `<family>_info`: decide the family name written in text output. */
    readonly total: boolean,
    readonly info: boolean,
    pass: number,
  ) {
    super(name, family, type, pass);
  }
}

/** One family's samples in one render, in exposition order (re-entered families included). */
class FamilyLines {
  readonly entries: RenderEntry[] = [];
  /** ` value[ timestamp]` per entry. */
  readonly tails: string[] = [];
  reserved = false;
  allTotal = true;
  allInfo = true;
}

/**
 * The render of one source (one address, path, target labels and output format), kept between
 * requests: a text body is parsed with this cache as the parser's visitor, so a series seen
 * before (same exposed bytes, same family and type) is neither label-parsed nor re-rendered:
 * its line is the cached head plus the value. The cache predicts each line from the last good
 * render's order (one byte comparison), falls back to a lookup by the exposed key, and renders
 * a miss exactly as `renderSource` does. Entries a successful render did not see are evicted,
 * and a failed render takes back what it added, so memory is bounded by the source's series.
 * OpenMetrics bodies take `renderSource` (exemplars are not visited).
 */
export class SourceRenderCache implements SampleVisitor {
  private readonly keys = new SeriesKeyCache<RenderEntry>();
  private pending: RenderEntry | null = null;
  private readonly suffix: string;
  private readonly om: boolean;
  // Per render:
  private families = new Map<string, FamilyLines>();
  private lastFamily = '';
  private lastLines: FamilyLines | null = null;
  private hits = 0;

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

  /** Parses `body` and renders it; same result as `renderSource(parseExposition(body), …)`. */
  render(body: Buffer, contentType: string | null): RenderedSource {
    if (resolveFormat({ contentType }) !== 'text')
      return renderSource(parseExposition(body, { contentType }), this.target, this.format, body.length);
    this.keys.begin();
    this.hits = 0;
    this.families = new Map();
    this.lastFamily = '';
    this.lastLines = null;
    let families: MetricFamily[];
    try {
      families = parseExposition(body, { format: 'text', visitor: this });
    } catch (err) {
      this.keys.rollback();
      throw err;
    }
    const out = this.write(families, body.length);
    this.keys.commit();
    this.families = new Map();
    this.lastLines = null;
    return out;
  }

  predict(buf: Buffer, start: number, end: number): RenderEntry | null {
    const e = this.keys.predict(buf, start, end);
    this.pending = e;
    return e;
  }

  predicted(value: number, ts: TimestampMs | null): void {
    const e = this.pending as RenderEntry;
    this.keys.touch(e); // a duplicate in one body is written again; `write` de-duplicates
    this.hits++;
    this.emit(e, value, ts);
  }

  known(key: string, family: MetricFamily, value: number, ts: TimestampMs | null, keyHash?: number): boolean {
    const e = this.keys.get(key, keyHash);
    if (e === undefined || e.family !== family.name || e.type !== family.type) return false;
    this.keys.touch(e);
    this.hits++;
    this.emit(e, value, ts);
    return true;
  }

  sample(key: string, family: MetricFamily, name: string, labels: Labels, value: number, ts: TimestampMs | null, keyHash?: number): void {
    const cached = this.keys.get(key, keyHash); // labels-first lines (`{"utf8.name"}`) skip `known`
    if (cached !== undefined && cached.family === family.name && cached.type === family.type) {
      this.keys.touch(cached);
      this.hits++;
      this.emit(cached, value, ts);
      return;
    }
    const p = plan(family, this.format);
    // A flat copy: the rope renderHead builds would be walked again by every write of the line.
    const head = Buffer.from(renderHead(p.rename === null ? name : p.rename(name), labels, this.suffix, this.target)).toString();
    const e = new RenderEntry(
      name,
      family.name,
      family.type,
      head,
      headHadReserved(),
      p.splitCreated && name === `${family.name}_created`,
      name === `${family.name}_total`,
      name === `${family.name}_info`,
      this.keys.iteration,
    );
    // A key cached under another family or type is shadowed (the source changed its TYPE).
    this.keys.add(e, key);
    this.emit(e, value, ts);
  }

  private emit(e: RenderEntry, value: number, ts: TimestampMs | null): void {
    let f = this.lastLines;
    if (f === null || this.lastFamily !== e.family) {
      f = this.families.get(e.family) ?? null;
      if (f === null) {
        f = new FamilyLines();
        this.families.set(e.family, f);
      }
      this.lastFamily = e.family;
      this.lastLines = f;
    }
    let text: string;
    if (value === e.lastValue && (value !== 0 || 1 / value === 1 / e.lastValue)) text = e.lastText;
    else {
      text = formatValue(value);
      e.lastValue = value;
      e.lastText = text;
    }
    if (ts !== null) text = `${text} ${this.om ? omTimestamp(ts) : textTimestamp(ts)}`;
    f.entries.push(e);
    f.tails.push(text);
    if (e.reserved) f.reserved = true;
    if (!e.created) {
      if (!e.total) f.allTotal = false;
      if (!e.info) f.allInfo = false;
    }
  }

  /** Families in order of first appearance, written as `renderSource` writes them. */
  private write(families: readonly MetricFamily[], sizeHint: number): RenderedSource {
    let count = 0;
    for (const f of this.families.values()) count += f.entries.length;
    const w = new ByteWriter(sizeHint + count * (this.suffix.length + 8));
    const out: RenderedFamily[] = [];
    const seen = new Set<string>();
    let series = 0;
    let duplicates = 0;
    for (const fam of families) {
      const lines = this.families.get(fam.name);
      if (lines === undefined || lines.entries.length === 0) continue;
      const p = plan(fam, this.format);
      let name = p.name;
      if (!this.om && fam.type === 'counter' && lines.allTotal) name = `${fam.name}_total`;
      if (!this.om && fam.type === 'info' && lines.allInfo) name = `${fam.name}_info`;
      const start = w.len;
      let createdLines = '';
      const dedupe = lines.reserved;
      if (dedupe) seen.clear();
      const { entries, tails } = lines;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as RenderEntry;
        if (dedupe) {
          if (seen.has(e.head)) {
            duplicates++;
            continue;
          }
          seen.add(e.head);
        }
        series++;
        if (e.created) createdLines += `${e.head} ${tails[i]}\n`;
        else w.write(`${e.head} ${tails[i]}\n`);
      }
      if (w.len > start) out.push({ name, type: p.type, help: fam.help, unit: this.om ? fam.unit : null, lines: w.slice(start) });
      if (createdLines !== '') {
        const cs = w.len;
        w.write(createdLines);
        out.push({ name: `${fam.name}_created`, type: 'gauge', help: null, unit: null, lines: w.slice(cs) });
      }
    }
    return { families: out, series, duplicates };
  }

  /** Bytes held for keys (tests). */
  get arenaBytes(): number {
    return this.keys.arenaBytes;
  }
}

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

  render(sourceKey: string, body: Buffer, contentType: string | null, target: Labels, format: ExpositionFormat): RenderedSource {
    const key = `${format}\u0000${sourceKey}\u0000${target.join('\u0000')}`;
    const now = this.now();
    let slot = this.slots.get(key);
    if (slot === undefined) slot = new Slot(new SourceRenderCache(target, format), now, 0);
    else this.slots.delete(key); // re-inserted below: Map order is recency
    slot.used = now;
    this.slots.set(key, slot);
    try {
      return slot.cache.render(body, contentType);
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
