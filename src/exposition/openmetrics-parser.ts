import { isUtf8 } from 'node:buffer';
import { B, bytesEqual, C, charClass, describeByte, indexOfIn, latin1, text } from './bytes.js';
import { CommentKind, type CommentLine, type CommentMemo } from './comment-memo.js';
import { errorAt } from './errors.js';
import { FamilyBuilder } from './family-builder.js';
import { type FastLine, giveBackFastLine, takeFastLine } from './fast-line.js';
import { internAscii } from './intern.js';
import { keyHash, TOKEN_SEED, tokenStep } from './key-hash.js';
import { copyLabels } from './labels-copy.js';
import { INVALID, plainScan, readFloat, readPlainDecimal } from './number.js';
import { histogramProblem } from './openmetrics-histogram.js';
import { MetricPoints, type PairTokens } from './openmetrics-points.js';
import {
  exemplarAllowed,
  integerProblem,
  labelFloat,
  labelValue,
  nameOfFamily,
  OM_TYPES,
  pointLabel,
  Role,
  reservedNames,
  roleOf,
  uncanonical,
  valueProblem,
} from './openmetrics-rules.js';
import type { Exemplar, Labels, MetricFamily, MetricType, PredictedSeries, Sample, SampleVisitor, SeriesKey } from './types.js';

const EXEMPLAR_MAX_CODE_POINTS = 128;
const NO_EXEMPLAR_HERE = 'only histogram buckets and counter _total samples can have exemplars';

/** Per-family validation state while its samples are read. */
interface FamilyState {
  fam: MetricFamily;
  typeSet: boolean;
  helpSet: boolean;
  unitSet: boolean;
  /** Sample lines read so far: metadata after them is an error. */
  samples: number;
  /**
   * Every sample line of the family so far was predicted (`predictedLine`): the group state below
   * does not include them yet (`replayRun`).
   */
  clean: boolean;
  /** Made on the first sample read in full (none in a steady-state parse). */
  points: MetricPoints | null;
  /** Sample names read in full and found to be the family's (`accepts`). */
  names: string[];
}

/**
 * OpenMetrics 1.0 text, validated as strictly as the reference parser the OpenMetrics suite is
 * driven with (Python prometheus_client): exact single-space syntax, `# EOF` last, families
 * contiguous with metadata first, per-type sample names, counter/bucket/count value rules,
 * histogram bucket order and `+Inf` bucket, stateset/info values, exemplars only on counters'
 * `_total` and buckets and at most 128 code points of labels, float-second timestamps.
 */
export class OpenMetricsParser {
  private readonly fams = new FamilyBuilder();
  /** The one key object handed to the visitor, refilled for each sample. */
  private readonly key: SeriesKey = { buf: Buffer.alloc(0), start: 0, end: 0, hash: 0 };
  private readonly seenNames = new Set<string>();
  private cur: FamilyState | null = null;
  private line = 0;
  private buf: Buffer = Buffer.alloc(0);
  private lineStart = 0;
  private ascii = true;
  private eof = false;
  private keyStart = 0;
  /** The fast path when it read the line: it has the token hashes for the key and the grouping rules. */
  private fastTokens: FastLine | null = null;
  private keyEnd = 0;
  /** The visitor's memo of the last good parse's metadata lines (comment-memo.ts). */
  private readonly memo: CommentMemo | null;
  /** The visitor predicts lines and can give back their key bytes (a series cache). */
  private readonly predicting: boolean;
  /** The current family's predicted series while it is clean, in order (`replayRun`). */
  private readonly run: PredictedSeries[] = [];
  private runLength = 0;
  private readonly runKey: SeriesKey = { buf: Buffer.alloc(0), start: 0, end: 0, hash: 0 };
  /** The common sample line read in one pass (fast-line.ts); its labels are copied per sample. */
  private readonly fast = takeFastLine(true);
  private ended = false;
  private fastHits = 0;
  private fastMisses = 0;

  constructor(private readonly visitor: SampleVisitor | null = null) {
    this.fams.visited = visitor !== null;
    this.memo = visitor?.comments ?? null;
    this.predicting = visitor !== null && visitor.predict !== undefined && visitor.predicted !== undefined && visitor.keyOf !== undefined;
  }

  get sampleCount(): number {
    return this.fams.sampleCount;
  }

  feed(buf: Buffer, start: number, end: number, enc: { ascii: boolean; utf8Valid: boolean }): void {
    this.buf = buf;
    this.ascii = enc.ascii;
    if (!enc.utf8Valid) this.failOnBadUtf8(buf, start, end);
    let pos = start;
    const memo = this.memo;
    // The fast path's loops stop at a `\n` only: keep it to chunks whose last line has one.
    let fast = enc.ascii && end > start && buf[end - 1] === B.NL && !this.ended ? this.fast : null;
    fast?.begin(buf, end);
    while (pos < end) {
      if (memo !== null && buf[pos] === B.HASH && !this.eof) {
        const r = memo.match(buf, pos, end);
        if (r !== null) {
          this.line++;
          this.lineStart = pos;
          this.replayMetadata(r, pos);
          memo.keep(r);
          pos += r.length + 1;
          continue;
        }
      }
      const st = this.cur;
      if (this.predicting && st?.clean === true && !this.eof && buf[pos] !== B.HASH) {
        const next = this.predictedLine(st, pos, end);
        if (next !== -1) {
          pos = next;
          continue;
        }
      }
      if (fast !== null && buf[pos] !== B.HASH && !this.eof) {
        this.line++;
        this.lineStart = pos;
        const nl = fast.scan(pos);
        if (nl >= 0) {
          this.fastHits++;
          this.keyStart = pos;
          this.keyEnd = fast.keyEnd;
          this.fastTokens = fast;
          const labels = copyLabels(fast.labels, fast.labelCount * 2);
          this.addSample(pos, fast.names[fast.nameSlot] as string, labels, fast.value, null, undefined);
          pos = nl + 1;
          continue;
        }
        this.line--;
        // A body whose samples mostly take the exact parser (timestamps, exemplars, escapes) stops
        // paying for the attempt.
        if (++this.fastMisses > this.fastHits + 64) fast = null;
      }
      let nl = buf.indexOf(B.NL, pos);
      const last = nl === -1 || nl >= end;
      if (last) nl = end;
      this.line++;
      this.lineStart = pos;
      if (this.eof) this.fail(pos, 'unexpected text after "# EOF"');
      if (last && !bytesEqual(buf, pos, nl, '# EOF')) {
        this.fail(nl, 'unexpected end of input: the last line must end with a newline');
      }
      this.parseLine(pos, nl);
      pos = nl + 1;
    }
  }

  /** Every part of an OpenMetrics exposition is UTF-8 text: reports the first line that is not. */
  private failOnBadUtf8(buf: Buffer, start: number, end: number): void {
    let pos = start;
    let line = this.line;
    while (pos < end) {
      const nl = buf.indexOf(B.NL, pos);
      const le = nl === -1 || nl >= end ? end : nl;
      line++;
      if (!isUtf8(buf.subarray(pos, le))) {
        this.line = line;
        this.lineStart = pos;
        this.fail(pos, 'invalid UTF-8 in line');
      }
      pos = le + 1;
    }
  }

  /** Called after the last byte: OpenMetrics requires `# EOF`. */
  finish(): MetricFamily[] {
    if (!this.ended) {
      this.ended = true;
      giveBackFastLine(this.fast);
    }
    if (!this.eof) {
      this.line++;
      this.lineStart = this.buf.length;
      this.fail(this.buf.length, 'missing "# EOF" at end of input');
    }
    return this.fams.result(true);
  }

  private fail(pos: number, reason: string): never {
    throw errorAt(this.buf, this.line, this.lineStart, pos, reason);
  }

  private str(start: number, end: number): string {
    return text(this.buf, start, end, this.ascii);
  }

  private parseLine(start: number, end: number): void {
    const buf = this.buf;
    if (start === end) this.fail(start, 'blank lines are not allowed in OpenMetrics');
    if (buf[start] === B.HASH) {
      if (bytesEqual(buf, start, end, '# EOF')) {
        this.closeFamily();
        this.eof = true;
        return;
      }
      this.parseMetadata(start, end);
      return;
    }
    this.parseSample(start, end);
  }

  private parseMetadata(start: number, end: number): void {
    const buf = this.buf;
    if (buf[start + 1] !== B.SP) this.fail(start + 1, `expected " " after "#", found ${describeByte(buf, start + 1, end)}`);
    const kw = start + 2;
    let p = kw;
    while (p < end && buf[p] !== B.SP) p++;
    const kind = bytesEqual(buf, kw, p, 'HELP')
      ? 'HELP'
      : bytesEqual(buf, kw, p, 'TYPE')
        ? 'TYPE'
        : bytesEqual(buf, kw, p, 'UNIT')
          ? 'UNIT'
          : null;
    if (kind === null) this.fail(kw, `expected HELP, TYPE, UNIT or EOF after "# ", got "${this.str(kw, p)}"`);
    if (p === end) this.fail(p, `expected a metric name after "# ${kind}"`);
    const ns = ++p;
    while (p < end && buf[p] !== B.SP) p++;
    const name = this.metricName(ns, p);
    if (p === end) this.fail(p, `expected " " and a value after the metric name in "# ${kind}"`);
    const vs = p + 1;
    const st = this.metadataFamily(name, start);
    const memo = this.memo;
    if (kind === 'HELP') {
      const help = this.unescapeHelp(vs, end);
      this.applyMetadata(st, start, CommentKind.Help, help);
      memo?.record(buf, start, end, CommentKind.Help, name, null, help);
    } else if (kind === 'TYPE') {
      const t = latin1(buf, vs, end);
      this.applyMetadata(st, start, CommentKind.Type, t);
      if (!OM_TYPES.has(t)) this.fail(vs, `invalid metric type "${this.str(vs, end)}"; OpenMetrics allows ${[...OM_TYPES].join(', ')}`);
      memo?.record(buf, start, end, CommentKind.Type, name, t as MetricType, null);
    } else {
      const unit = this.str(vs, end);
      this.applyMetadata(st, start, CommentKind.Unit, unit);
      memo?.record(buf, start, end, CommentKind.Unit, name, null, unit);
    }
  }

  /** The family a metadata line at `at` is about: the current one, or a new one. */
  private metadataFamily(name: string, at: number): FamilyState {
    const st = this.cur;
    if (st === null || st.fam.name !== name) return this.openFamily(name);
    if (st.samples > 0) this.fail(at, `metadata for "${name}" after its samples`);
    return st;
  }

  /** HELP, TYPE or UNIT `value` for the family, once each. */
  private applyMetadata(st: FamilyState, at: number, kind: CommentKind, value: string): void {
    const fam = st.fam;
    if (kind === CommentKind.Help) {
      if (st.helpSet) this.fail(at, `second HELP line for metric "${fam.name}"`);
      st.helpSet = true;
      fam.help = value;
    } else if (kind === CommentKind.Type) {
      if (st.typeSet) this.fail(at, `second TYPE line for metric "${fam.name}"`);
      st.typeSet = true;
      fam.type = value as MetricType;
    } else {
      if (st.unitSet) this.fail(at, `second UNIT line for metric "${fam.name}"`);
      st.unitSet = true;
      fam.unit = value;
    }
  }

  /** A metadata line byte-identical to the one at this place in the last good parse. */
  private replayMetadata(r: CommentLine, at: number): void {
    this.applyMetadata(
      this.metadataFamily(r.name, at),
      at,
      r.kind,
      r.kind === CommentKind.Type ? (r.type as MetricType) : (r.text as string),
    );
  }

  private metricName(start: number, end: number): string {
    const buf = this.buf;
    if (start === end || !(charClass[buf[start] as number]! & C.NAME_START)) {
      this.fail(start, `invalid metric name, found ${describeByte(buf, start, end)}`);
    }
    let h = tokenStep(TOKEN_SEED, buf[start] as number);
    for (let p = start + 1; p < end; p++) {
      const c = buf[p] as number;
      if (!(charClass[c]! & C.NAME)) this.fail(p, `invalid character ${describeByte(buf, p, end)} in metric name`);
      h = tokenStep(h, c);
    }
    // The same names come every scrape and on every line of a family: one shared string each.
    return internAscii(buf, start, end, h);
  }

  private unescapeHelp(start: number, end: number): string {
    const buf = this.buf;
    const bs = indexOfIn(buf, B.BSLASH, start, end);
    if (bs === -1) return this.str(start, end);
    let out = '';
    let from = start;
    for (let p = bs; p < end; p++) {
      if (buf[p] !== B.BSLASH) continue;
      out += this.str(from, p);
      const n = buf[p + 1];
      if (p + 1 >= end) {
        out += '\\';
        from = end;
        break;
      }
      if (n === B.BSLASH) out += '\\';
      else if (n === B.QUOTE) out += '"';
      else if (n === B.n) out += '\n';
      else out += `\\${String.fromCharCode(n as number)}`; // kept literally, as the reference does
      p++;
      from = p + 1;
    }
    return out + this.str(from, end);
  }

  private openFamily(name: string): FamilyState {
    this.closeFamily();
    if (this.fams.get(name) !== undefined) this.fail(this.lineStart, `metric family "${name}" appears twice: families must be contiguous`);
    const fam = this.fams.create(name, 'unknown');
    const st: FamilyState = {
      fam,
      typeSet: false,
      helpSet: false,
      unitSet: false,
      samples: 0,
      clean: true,
      points: null,
      names: [],
    };
    this.cur = st;
    return st;
  }

  /** The checks that need the whole family: name clashes, unit, histogram structure. */
  private closeFamily(): void {
    const st = this.cur;
    if (st === null) return;
    this.cur = null;
    this.runLength = 0;
    const { fam } = st;
    for (const n of reservedNames(fam.name, fam.type)) {
      if (this.seenNames.has(n)) this.fail(this.lineStart, `metric name "${n}" clashes with an earlier family`);
      this.seenNames.add(n);
    }
    if (fam.unit !== null && fam.unit !== '') {
      if (!fam.name.endsWith(`_${fam.unit}`))
        this.fail(this.lineStart, `metric "${fam.name}" has UNIT "${fam.unit}" but its name does not end in "_${fam.unit}"`);
      if (fam.type === 'info' || fam.type === 'stateset')
        this.fail(this.lineStart, `metric "${fam.name}" of type ${fam.type} may not have a UNIT`);
    }
    if (fam.type === 'histogram' || fam.type === 'gaugehistogram') {
      const problem = histogramProblem(fam);
      if (problem !== null) this.fail(this.lineStart, `histogram "${fam.name}": ${problem}`);
    }
  }

  private parseSample(start: number, end: number): void {
    const buf = this.buf;
    let p = start;
    while (p < end && buf[p] !== B.SP && buf[p] !== B.LBRACE) p++;
    const name = this.metricName(start, p);
    let labels: Labels = [];
    if (buf[p] === B.LBRACE) {
      const r = this.parseLabels(p + 1, end, false);
      labels = r.labels;
      p = r.end;
    }
    if (buf[p] !== B.SP) this.fail(p, `expected " " before the value, found ${describeByte(buf, p, end)}`);
    this.keyStart = start;
    this.fastTokens = null;
    this.keyEnd = p;
    p++;
    const vs = p;
    while (p < end && buf[p] !== B.SP) p++;
    const value = this.number(vs, p, 'value');
    let ts: number | null = null;
    let exemplar: Exemplar | undefined;
    if (p < end) {
      p++;
      if (buf[p] !== B.HASH) {
        const ts0 = p;
        while (p < end && buf[p] !== B.SP) p++;
        ts = this.timestamp(ts0, p);
        if (p < end) p++;
        else p = -1;
      }
      if (p !== -1) {
        if (!(buf[p] === B.HASH && buf[p + 1] === B.SP && buf[p + 2] === B.LBRACE)) {
          this.fail(p, `expected " # {" to start an exemplar, found ${describeByte(buf, p, end)}`);
        }
        exemplar = this.parseExemplar(p + 3, end);
      }
    }
    this.addSample(start, name, labels, value, ts, exemplar);
  }

  private parseExemplar(start: number, end: number): Exemplar {
    const buf = this.buf;
    const r = this.parseLabels(start, end, true);
    let p = r.end;
    let cps = 0;
    for (const s of r.labels) cps += [...s].length;
    if (cps > EXEMPLAR_MAX_CODE_POINTS) this.fail(start, `exemplar labels have ${cps} characters, more than ${EXEMPLAR_MAX_CODE_POINTS}`);
    if (buf[p] !== B.SP) this.fail(p, `expected " " before the exemplar value, found ${describeByte(buf, p, end)}`);
    p++;
    const vs = p;
    while (p < end && buf[p] !== B.SP) p++;
    const value = this.number(vs, p, 'exemplar value');
    let ts: number | null = null;
    if (p < end) {
      p++;
      ts = this.timestamp(p, end);
    }
    return { labels: r.labels, value, timestampMs: ts };
  }

  private number(start: number, end: number, what: string): number {
    const v = readFloat(this.buf, start, end, true);
    if (v === INVALID) this.fail(start, `expected a number as ${what}, got "${this.str(start, end)}"`);
    return v;
  }

  /** Float seconds → milliseconds. */
  private timestamp(start: number, end: number): number {
    const v = readFloat(this.buf, start, end, true);
    if (v === INVALID || !Number.isFinite(v))
      this.fail(start, `expected a finite number of seconds as timestamp, got "${this.str(start, end)}"`);
    return Math.round(v * 1000);
  }

  private parseLabels(start: number, end: number, exemplar: boolean): { labels: Labels; end: number } {
    const buf = this.buf;
    const labels: Labels = [];
    let p = start;
    if (buf[p] === B.RBRACE) return { labels, end: p + 1 };
    for (;;) {
      const ls = p;
      let h = TOKEN_SEED;
      if (p < end && charClass[buf[p] as number]! & C.LABEL_START) {
        h = tokenStep(h, buf[p] as number);
        p++;
        while (p < end && charClass[buf[p] as number]! & C.LABEL) {
          h = tokenStep(h, buf[p] as number);
          p++;
        }
      }
      if (p === ls) this.fail(p, `invalid label name, found ${describeByte(buf, p, end)}`);
      if (buf[p] !== B.EQ) this.fail(p, `expected "=" after label name, found ${describeByte(buf, p, end)}`);
      const lname = internAscii(buf, ls, p, h);
      for (let i = 0; i < labels.length; i += 2) if (labels[i] === lname) this.fail(ls, `duplicate label name "${lname}"`);
      p++;
      if (buf[p] !== B.QUOTE) this.fail(p, `expected '"' at start of label value, found ${describeByte(buf, p, end)}`);
      p++;
      let out: string | null = null;
      let from = p;
      h = TOKEN_SEED;
      for (; p < end; p++) {
        const c = buf[p] as number;
        if (c === B.QUOTE) break;
        h = tokenStep(h, c);
        if (c === B.BSLASH) {
          out = (out ?? '') + this.str(from, p);
          const n = buf[p + 1];
          if (n === B.BSLASH) out += '\\';
          else if (n === B.QUOTE) out += '"';
          else if (n === B.n) out += '\n';
          else if (p + 1 < end) out += `\\${String.fromCharCode(n as number)}`; // kept literally, as the reference does
          p++;
          from = p + 1;
        }
      }
      if (p >= end) this.fail(end, 'label value is not terminated');
      // Short ASCII values (status codes, methods, bucket bounds) repeat across series: shared strings.
      labels.push(lname, out !== null ? out + this.str(from, p) : this.ascii ? internAscii(buf, from, p, h) : this.str(from, p));
      p++;
      if (buf[p] === B.COMMA) {
        p++;
        if (buf[p] === B.RBRACE) this.fail(p, `unexpected "," before "}"${exemplar ? ' in exemplar' : ''}`);
        continue;
      }
      if (buf[p] === B.RBRACE) return { labels, end: p + 1 };
      this.fail(p, `expected "," or "}" after label value, found ${describeByte(buf, p, end)}`);
    }
  }

  /** Whether `name` is a sample name of the current family; the names met are remembered. */
  private accepts(st: FamilyState, name: string): boolean {
    const names = st.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
    if (!nameOfFamily(name, st.fam)) return false;
    names.push(name);
    return true;
  }

  private failIf(pos: number, problem: string | null): void {
    if (problem !== null) this.fail(pos, problem);
  }

  /** The label that names a sample's place in its point (stateset label, `le`, `quantile`), then the integer rule. */
  private checkPointLabel(pos: number, fam: MetricFamily, role: Role, labels: Labels, value: number): void {
    const type = fam.type;
    if (type === 'stateset' && labelValue(labels, fam.name) === undefined)
      this.fail(pos, `stateset sample is missing its "${fam.name}" label`);
    if (role === Role.Bucket) {
      const le = labelValue(labels, 'le');
      if (le === undefined || le === 'NaN' || uncanonical(le))
        this.fail(pos, `invalid or missing "le" label ${le === undefined ? '' : `"${le}"`}`.trimEnd());
    }
    this.failIf(pos, integerProblem(role, value));
    if (type === 'summary' && role === Role.Plain) {
      const q = labelValue(labels, 'quantile');
      const qv = q === undefined ? -1 : labelFloat(q);
      if (!(qv >= 0 && qv <= 1) || uncanonical(q as string))
        this.fail(pos, `invalid or missing "quantile" label${q === undefined ? '' : ` "${q}"`}: must be between 0 and 1`);
    }
  }

  private addSample(pos: number, name: string, labels: Labels, value: number, ts: number | null, exemplar: Exemplar | undefined): void {
    let st = this.cur;
    if (st === null || !this.accepts(st, name)) {
      st = this.openFamily(name);
    } else if (this.runLength > 0) this.replayRun(st);
    st.clean = false;
    st.samples++;
    const fam = st.fam;
    const type = fam.type;
    const fname = fam.name;
    const role = roleOf(type, name, fname.length);
    this.checkPointLabel(pos, fam, role, labels, value);
    const dup = this.trackGroup(st, pos, name, labels, ts, role, this.fastTokens);
    this.failIf(pos, valueProblem(type, role, value));
    if (exemplar !== undefined && !exemplarAllowed(type, role)) this.fail(pos, NO_EXEMPLAR_HERE);
    if (dup) return; // the same sample again at the same timestamp: kept once
    if (this.visitor !== null) {
      this.fams.sampleCount++;
      const key = this.key;
      key.buf = this.buf;
      key.start = this.keyStart;
      key.end = this.keyEnd;
      key.hash = this.fastTokens !== null ? this.fastTokens.keyHash() : keyHash(this.buf, this.keyStart, this.keyEnd);
      this.visitor.sample(key, fam, name, labels, value, ts);
      return;
    }
    const s: Sample = this.fams.push(fam, name, labels, value, ts);
    if (exemplar !== undefined) s.exemplar = exemplar;
  }

  /**
   * The grouping rules: the samples of one metric point (one label set but for `le`, `quantile`
   * or the stateset's label) come together, with timestamps on all of them or none, not going
   * backwards. Returns true for the same sample again at the same timestamp.
   */
  private trackGroup(
    st: FamilyState,
    pos: number,
    name: string,
    labels: Labels,
    ts: number | null,
    role: Role,
    tokens: PairTokens | null,
  ): boolean {
    let points = st.points;
    if (points === null) {
      points = new MetricPoints();
      st.points = points;
    }
    const type = st.fam.type;
    const whole = type === 'info';
    const problem = points.add(name, labels, whole ? null : pointLabel(type, role, st.fam.name), whole, ts, tokens);
    if (problem !== null) this.fail(pos, problem);
    return points.dup;
  }

  /**
   * Steady state: the visitor predicts the series at `pos` (same key bytes as at this place in
   * its last good parse) and only the value, and an exemplar if there is one, is read. The
   * family's group rules are not checked here: a run of predicted lines is a stretch of a parse
   * that passed them, and `replayRun` brings them into the group state when a line of the family
   * is not predicted. A timestamp, whose rules span the group, takes the full path. Returns the
   * start of the next line, or -1 (the line is then parsed in full).
   */
  private predictedLine(st: FamilyState, pos: number, end: number): number {
    const buf = this.buf;
    const visitor = this.visitor as SampleVisitor;
    const e = (visitor.predict as NonNullable<SampleVisitor['predict']>)(buf, pos, end);
    if (e === null) return -1;
    const fam = st.fam;
    if (e.family !== fam.name || e.type !== fam.type) return -1;
    let q = pos + e.keyLength;
    if (buf[q] !== B.SP) return -1;
    const vs = ++q;
    let value = readPlainDecimal(buf, q, end);
    q = plainScan.end;
    if (value < 0 || q >= end || (buf[q] !== B.NL && buf[q] !== B.SP)) {
      while (q < end && buf[q] !== B.NL && buf[q] !== B.SP) q++;
      if (q >= end) return -1;
      const v = readFloat(buf, vs, q, true);
      if (v === INVALID) return -1;
      value = v;
    }
    let next = q + 1;
    const exemplar = buf[q] === B.SP;
    if (exemplar) {
      if (!(buf[q + 1] === B.HASH && buf[q + 2] === B.SP && buf[q + 3] === B.LBRACE)) return -1;
      const nl = indexOfIn(buf, B.NL, q, end);
      if (nl === -1) return -1;
      next = nl + 1;
    }
    this.line++;
    this.lineStart = pos;
    if (exemplar) this.parseExemplar(q + 4, next - 1);
    const type = fam.type;
    const role = roleOf(type, e.name, fam.name.length);
    const problem = integerProblem(role, value) ?? valueProblem(type, role, value);
    if (problem !== null) this.fail(pos, problem);
    if (exemplar && !exemplarAllowed(type, role)) this.fail(pos, NO_EXEMPLAR_HERE);
    st.samples++;
    this.fams.sampleCount++;
    this.run[this.runLength++] = e;
    (visitor.predicted as NonNullable<SampleVisitor['predicted']>)(value, null);
    return next;
  }

  /**
   * Brings the family's predicted lines into its group state before a line that was not
   * predicted, reading their labels from the key bytes the visitor keeps (ASCII or not: the key
   * may come from an earlier chunk than the current one).
   */
  private replayRun(st: FamilyState): void {
    const visitor = this.visitor as SampleVisitor;
    const keyOf = visitor.keyOf as NonNullable<SampleVisitor['keyOf']>;
    const key = this.runKey;
    const buf = this.buf;
    const ascii = this.ascii;
    const type = st.fam.type;
    const familyLength = st.fam.name.length;
    try {
      this.ascii = false;
      for (let i = 0; i < this.runLength; i++) {
        const e = this.run[i] as PredictedSeries;
        keyOf.call(visitor, e, key);
        this.buf = key.buf;
        const braceAt = key.start + e.name.length;
        const labels = braceAt < key.end ? this.parseLabels(braceAt + 1, key.end, false).labels : [];
        this.buf = buf;
        this.trackGroup(st, this.lineStart, e.name, labels, null, roleOf(type, e.name, familyLength), null);
      }
    } finally {
      this.buf = buf;
      this.ascii = ascii;
      this.runLength = 0;
    }
  }
}
