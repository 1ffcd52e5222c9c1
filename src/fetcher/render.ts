import {
  type Exemplar,
  type ExpositionFormat,
  escapeLabelValue,
  formatGoFloat,
  type Labels,
  type MetricFamily,
  omTimestamp,
  type TimestampMs,
  writeSeries,
} from '../exposition/index.js';
import type { SharedBufferSlot } from './shared-buffer-pool.js';

/**
 * Merging by rendering: each source's families are written to text as soon as that source's body is
 * parsed (the parsed samples are garbage right after), with the source's target labels appended;
 * the merge then only groups pre-rendered sample lines by family and adds HELP/TYPE once. The
 * output is what `writeText`/`writeOpenMetrics` of the exposition folder would write for the
 * relabelled families, without building a relabelled copy of every sample.
 */

/** Labels the fetcher owns: removed from every scraped series, then set from the route tags. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'organization_id',
  'space_id',
  'app_id',
  'organization_name',
  'space_name',
  'app_name',
  'index',
  'instance_id',
  'instance',
]);

export const SCRAPE_ERROR_FAMILY = 'promfetcher_scrape_error';
export const SCRAPE_ERROR_HELP = 'Promfetcher scrap error on your instance';
export const TYPE_CONFLICT_FAMILY = 'promfetcher_type_conflict';
const TYPE_CONFLICT_HELP = 'A family of this source was dropped: an earlier instance declared it with another type.';

/** One family of one source, written in the output format. */
export interface RenderedFamily {
  /** The family name as written in HELP/TYPE: the merge key. */
  readonly name: string;
  /** The TYPE word as written. */
  readonly type: string;
  readonly help: string | null;
  readonly unit: string | null;
  /** Sample lines, each ending in "\n" (a view into the source's output buffer). */
  readonly lines: Buffer;
}

/**
 * An append-only byte buffer: rendered lines go straight to memory outside the JavaScript heap,
 * so a large merge does not leave long-lived strings for the garbage collector.
 */
export class ByteWriter {
  buf: Buffer;
  private bytes = 0;
  /** Lines not yet encoded: one native write per ~16 KiB instead of one per line. */
  private pending = '';
  constructor(sizeHint: number) {
    // Never from the shared pool: a worker transfers the whole ArrayBuffer.
    this.buf = Buffer.allocUnsafeSlow(Math.max(4096, sizeHint));
  }
  get len(): number {
    this.flush();
    return this.bytes;
  }
  set len(n: number) {
    this.pending = '';
    this.bytes = n;
  }
  write(s: string): void {
    this.pending += s;
    if (this.pending.length > 16384) this.flush();
  }
  private flush(): void {
    const s = this.pending;
    if (s === '') return;
    this.pending = '';
    // Enough room for the worst case of 3 bytes per UTF-16 unit, else grow to the exact need.
    const room = this.buf.length - this.bytes;
    if (room < s.length * 3) {
      const need = Buffer.byteLength(s);
      if (room < need) this.grow(need);
    }
    this.bytes += (this.buf as unknown as { utf8Write(s: string, off: number): number }).utf8Write(s, this.bytes);
  }
  private grow(need: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.bytes + need + 4096));
    this.buf.copy(next, 0, 0, this.bytes);
    this.buf = next;
  }
  /** Bytes written since `from`. The view stays valid: a later grow copies, never reuses. */
  slice(from: number): Buffer {
    this.flush();
    return this.buf.subarray(from, this.bytes);
  }
}

export interface RenderedSource {
  readonly families: RenderedFamily[];
  readonly series: number;
  /** Series dropped because they collided once reserved labels were removed. */
  readonly duplicates: number;
  /** The worker pool slot holding the lines (worker side), given back once the response is written. */
  readonly slot?: SharedBufferSlot;
  /** Main side: hands the buffer holding the lines back for reuse; the lines must not be used after. */
  readonly release?: () => void;
}

const CLASSIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const CLASSIC_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NEEDS_ESCAPE = /[\\"\n]/;

/** `name="` per label name, cached: label names repeat across every series of every scrape. */
const labelPrefixCache = new Map<string, string>();
function labelPrefix(name: string): string {
  let p = labelPrefixCache.get(name);
  if (p === undefined) {
    p = CLASSIC_LABEL.test(name) ? `${name}="` : `"${escapeLabelValue(name)}"="`;
    if (labelPrefixCache.size > 10_000) labelPrefixCache.clear();
    labelPrefixCache.set(name, p);
  }
  return p;
}

/** `formatGoFloat` with a fast path for the values where JavaScript's `String()` already agrees with Go. */
export function formatValue(v: number): string {
  const a = v < 0 ? -v : v;
  return a >= 1e-4 && a < 1e6 ? String(v) : formatGoFloat(v);
}

/** The target labels rendered once per source: `a="x",b="y"` (no braces). */
export function renderTargetLabels(target: Labels): string {
  let s = '';
  for (let i = 0; i < target.length; i += 2) {
    const v = target[i + 1] as string;
    s += `${i === 0 ? '' : ','}${labelPrefix(target[i] as string)}${NEEDS_ESCAPE.test(v) ? escapeLabelValue(v) : v}"`;
  }
  return s;
}

export function textTimestamp(ms: TimestampMs): string {
  return typeof ms === 'bigint' ? ms.toString() : Math.round(ms).toString();
}

function exemplarText(e: Exemplar): string {
  let s = ' # {';
  for (let i = 0; i < e.labels.length; i += 2)
    s += `${i === 0 ? '' : ','}${labelPrefix(e.labels[i] as string)}${escapeLabelValue(e.labels[i + 1] as string)}"`;
  return `${s}} ${formatGoFloat(e.value)}${e.timestampMs === null ? '' : ` ${omTimestamp(e.timestampMs)}`}`;
}

/** The text 0.0.4 TYPE word (OpenMetrics-only types degrade as the exposition writer does). */
function textType(t: MetricFamily['type']): string {
  switch (t) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'summary':
    case 'untyped':
      return t;
    case 'info':
    case 'stateset':
      return 'gauge';
    default:
      return 'untyped';
  }
}

export interface Plan {
  name: string;
  type: string;
  /** Sample name rewrite (OpenMetrics counters), or null. */
  rename: ((s: string) => string) | null;
  /** Text only: `_created` samples of a counter/histogram/summary go to their own gauge family. */
  splitCreated: boolean;
}

export function plan(f: MetricFamily, format: ExpositionFormat): Plan {
  if (format === 'openmetrics') {
    let name = f.name;
    let rename: Plan['rename'] = null;
    if (f.type === 'counter') {
      if (name.endsWith('_total')) name = name.slice(0, -6);
      const base = name;
      const total = `${base}_total`;
      rename = (s) => (s === base ? total : s);
    }
    if (f.type === 'info' && name.endsWith('_info')) name = name.slice(0, -5);
    return { name, type: f.type === 'untyped' ? 'unknown' : f.type, rename, splitCreated: false };
  }
  const created = `${f.name}_created`;
  const splitCreated = f.type !== 'gauge' && f.type !== 'untyped' && f.type !== 'unknown';
  let name = f.name;
  let allTotal = f.samples.length > 0;
  let allInfo = allTotal;
  for (const s of f.samples) {
    if (splitCreated && s.name === created) continue;
    if (s.name !== `${f.name}_total`) allTotal = false;
    if (s.name !== `${f.name}_info`) allInfo = false;
  }
  if (f.type === 'counter' && allTotal) name = `${f.name}_total`;
  if (f.type === 'info' && allInfo) name = `${f.name}_info`;
  return { name, type: textType(f.type), rename: null, splitCreated };
}

/** Per label name: its rendered `name="` prefix, or null for a reserved label (dropped). */
const labelCache = new Map<string, string | null>();
function ownLabelPrefix(name: string): string | null {
  let p = labelCache.get(name);
  if (p === undefined) {
    p = RESERVED_LABELS.has(name) ? null : labelPrefix(name);
    if (labelCache.size > 10_000) labelCache.clear();
    labelCache.set(name, p);
  }
  return p;
}

/** Label values as written (escaped when needed), cached: the parser interns repeated values. */
const valueCache = new Map<string, string>();
function labelValue(v: string): string {
  let e = valueCache.get(v);
  if (e === undefined) {
    e = NEEDS_ESCAPE.test(v) ? escapeLabelValue(v) : v;
    if (valueCache.size > 100_000) valueCache.clear();
    valueCache.set(v, e);
  }
  return e;
}

/** Set by `renderHead`: the series had a reserved label, which was dropped. */
let headDroppedReserved = false;

/**
 * One series as written, without value: `name{own labels,target labels}`. The source's reserved
 * labels are dropped (then `headDroppedReserved` is true); `suffix` is `renderTargetLabels(target)`.
 */
export function renderHead(name: string, labels: Labels, suffix: string, target: Labels): string {
  let own = '';
  headDroppedReserved = false;
  for (let i = 0; i < labels.length; i += 2) {
    const prefix = ownLabelPrefix(labels[i] as string);
    if (prefix === null) {
      headDroppedReserved = true;
      continue;
    }
    own += `${prefix}${labelValue(labels[i + 1] as string)}",`;
  }
  if (CLASSIC_NAME.test(name)) {
    if (suffix !== '') return `${name}{${own}${suffix}}`;
    return own === '' ? name : `${name}{${own.slice(0, -1)}}`;
  }
  // Quoted UTF-8 metric name: rare, let the exposition writer spell it.
  const all: string[] = [];
  for (let i = 0; i < labels.length; i += 2)
    if (!RESERVED_LABELS.has(labels[i] as string)) all.push(labels[i] as string, labels[i + 1] as string);
  return writeSeries(name, all.concat(target));
}

/** Whether the last `renderHead` dropped a reserved label. */
export function headHadReserved(): boolean {
  return headDroppedReserved;
}

/**
 * Renders one source's families in `format` with `target` appended to every series. Reserved
 * labels the source set itself are dropped first; in a family where that happened, series that
 * then collide are kept once (first wins). A source exposing the very same series twice is passed
 * on as is (Prometheus drops and counts such duplicates, as when scraping the source directly).
 */
export function renderSource(
  families: readonly MetricFamily[],
  target: Labels,
  format: ExpositionFormat,
  sizeHint = 65536,
): RenderedSource {
  const suffix = renderTargetLabels(target);
  const out: RenderedFamily[] = [];
  let sampleCount = 0;
  for (const f of families) sampleCount += f.samples.length;
  const w = new ByteWriter(sizeHint + sampleCount * (suffix.length + 8));
  const om = format === 'openmetrics';
  let series = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  let createdLines = '';

  /** Writes the family's samples; returns false when it must be redone with de-duplication. */
  const writeFamily = (f: MetricFamily, p: Plan, dedupe: boolean): boolean => {
    const created = `${f.name}_created`;
    for (const s of f.samples) {
      const name = p.rename === null ? s.name : p.rename(s.name);
      const head = renderHead(name, s.labels, suffix, target);
      if (headDroppedReserved && !dedupe) return false;
      if (dedupe) {
        if (seen.has(head)) {
          duplicates++;
          continue;
        }
        seen.add(head);
      }
      series++;
      let line = `${head} ${formatValue(s.value)}`;
      if (s.timestampMs !== null) line += ` ${om ? omTimestamp(s.timestampMs) : textTimestamp(s.timestampMs)}`;
      if (om && s.exemplar !== undefined) line += exemplarText(s.exemplar);
      if (p.splitCreated && s.name === created) createdLines += `${line}\n`;
      else w.write(`${line}\n`);
    }
    return true;
  };

  for (const f of families) {
    if (f.samples.length === 0) continue;
    const p = plan(f, format);
    const start = w.len;
    const seriesBefore = series;
    createdLines = '';
    if (!writeFamily(f, p, false)) {
      w.len = start;
      series = seriesBefore;
      createdLines = '';
      seen.clear();
      writeFamily(f, p, true);
    }
    if (w.len > start) out.push({ name: p.name, type: p.type, help: f.help, unit: om ? f.unit : null, lines: w.slice(start) });
    if (createdLines !== '') {
      const cs = w.len;
      w.write(createdLines);
      out.push({ name: `${f.name}_created`, type: 'gauge', help: null, unit: null, lines: w.slice(cs) });
    }
  }
  return { families: out, series, duplicates };
}

/** One source for the merge: rendered families, or the short failure reason. */
export interface MergeInput {
  readonly targetLabels: Labels;
  readonly rendered: RenderedSource | null;
  readonly error?: string;
}

export interface MergeStats {
  typeConflicts: { readonly family: string; readonly type: string; readonly expected: string; readonly targetLabels: Labels }[];
}

function quoteName(name: string): string {
  return CLASSIC_NAME.test(name) ? name : `"${escapeLabelValue(name)}"`;
}

function header(name: string, type: string, help: string | null, unit: string | null, om: boolean): string {
  const q = quoteName(name);
  let h = '';
  if (help !== null)
    h += `# HELP ${q} ${om ? help.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'))}\n`;
  h += `# TYPE ${q} ${type}\n`;
  if (unit !== null) h += `# UNIT ${q} ${unit}\n`;
  return h;
}

/**
 * Merges rendered sources into one exposition: families by name in order of first appearance
 * (the first HELP, TYPE and UNIT win; a missing HELP is taken from a later source); a family whose
 * TYPE differs from the first declaration is dropped for that source and reported as
 * `promfetcher_type_conflict{<target labels>, metric, type, expected} 1`; a failed source adds
 * `promfetcher_scrape_error{<target labels>, error} 1`. Returns the body as one Buffer.
 */
export function mergeRendered(sources: readonly MergeInput[], format: ExpositionFormat, stats?: MergeStats): Buffer {
  return Buffer.concat(mergeRenderedChunks(sources, format, stats));
}

/**
 * `mergeRendered` without the final copy: the body as the list of its pieces (headers and the
 * sources' line buffers), to be written to the socket as they are.
 */
export function mergeRenderedChunks(sources: readonly MergeInput[], format: ExpositionFormat, stats?: MergeStats): Buffer[] {
  const om = format === 'openmetrics';
  const byName = new Map<string, { type: string; help: string | null; unit: string | null; parts: Buffer[] }>();
  let errors = '';
  let conflicts = '';
  for (const src of sources) {
    if (src.rendered === null) {
      const labels = `${renderTargetLabels(src.targetLabels)}${src.targetLabels.length > 0 ? ',' : ''}error="${escapeLabelValue(src.error ?? 'unknown')}"`;
      errors += `${SCRAPE_ERROR_FAMILY}${om ? '_total' : ''}{${labels}} 1\n`;
      continue;
    }
    for (const f of src.rendered.families) {
      const m = byName.get(f.name);
      if (m === undefined) byName.set(f.name, { type: f.type, help: f.help, unit: f.unit, parts: [f.lines] });
      else if (m.type !== f.type) {
        const labels = `${renderTargetLabels(src.targetLabels)}${src.targetLabels.length > 0 ? ',' : ''}metric="${escapeLabelValue(f.name)}",type="${f.type}",expected="${m.type}"`;
        conflicts += `${TYPE_CONFLICT_FAMILY}{${labels}} 1\n`;
        stats?.typeConflicts.push({ family: f.name, type: f.type, expected: m.type, targetLabels: src.targetLabels });
      } else {
        if (m.help === null) m.help = f.help;
        if (m.unit === null) m.unit = f.unit;
        m.parts.push(f.lines);
      }
    }
  }
  const chunks: Buffer[] = [];
  for (const [name, m] of byName) {
    chunks.push(Buffer.from(header(name, m.type, m.help, m.unit, om)));
    // Lines that follow each other in memory (a render worker's arena) go out as one piece.
    const parts = m.parts;
    let run = parts[0] as Buffer;
    let runEnd = run.byteOffset + run.length;
    let joined = false;
    for (let i = 1; i < parts.length; i++) {
      const p = parts[i] as Buffer;
      if (p.buffer === run.buffer && p.byteOffset === runEnd) {
        runEnd += p.length;
        joined = true;
        continue;
      }
      chunks.push(joined ? Buffer.from(run.buffer, run.byteOffset, runEnd - run.byteOffset) : run);
      run = p;
      runEnd = p.byteOffset + p.length;
      joined = false;
    }
    chunks.push(joined ? Buffer.from(run.buffer, run.byteOffset, runEnd - run.byteOffset) : run);
  }
  let tail = '';
  if (conflicts !== '') tail += `${header(TYPE_CONFLICT_FAMILY, 'gauge', TYPE_CONFLICT_HELP, null, om)}${conflicts}`;
  if (errors !== '') tail += `${header(SCRAPE_ERROR_FAMILY, 'counter', SCRAPE_ERROR_HELP, null, om)}${errors}`;
  if (om) tail += '# EOF\n';
  if (tail !== '') chunks.push(Buffer.from(tail));
  return chunks;
}

/**
 * The target labels of an app instance: org/space/app ids and names from its route tags, then
 * `index` and `instance_id` (both the instance index, as the original) and `instance` (address).
 */
export function instanceTargetLabels(tags: Readonly<Record<string, string | undefined>>, index: string, address: string): Labels {
  const l = appTargetLabels(tags);
  if (index !== '') l.push('index', index, 'instance_id', index);
  l.push('instance', address);
  return l;
}

/** The app-level labels every series of the app gets (external exporters: these + `instance`). */
export function appTargetLabels(tags: Readonly<Record<string, string | undefined>>): Labels {
  return [
    'organization_id',
    tags.organization_id ?? '',
    'space_id',
    tags.space_id ?? '',
    'app_id',
    tags.app_id ?? '',
    'organization_name',
    tags.organization_name ?? '',
    'space_name',
    tags.space_name ?? '',
    'app_name',
    tags.app_name ?? '',
  ];
}
