import { isUtf8 } from 'node:buffer';
import { B, bytesEqual, C, charClass, describeByte, indexOfIn, latin1, text, utf8 } from './bytes.js';
import { CommentKind, type CommentLine, type CommentMemo } from './comment-memo.js';
import { errorAt } from './errors.js';
import { FamilyBuilder } from './family-builder.js';
import { giveBackFastLine, takeFastLine } from './fast-line.js';
import { internAscii } from './intern.js';
import { keyHash, TOKEN_SEED, tokenHash, tokenStep } from './key-hash.js';
import { copyLabels } from './labels-copy.js';
import { INVALID, plainScan, readFloat, readInt64, readPlainDecimal } from './number.js';
import type { Labels, MetricFamily, MetricType, SampleVisitor, SeriesKey, TimestampMs } from './types.js';

/** TYPE words, matched case-insensitively as expfmt does (`strings.ToUpper`). */
const TYPE_WORDS: ReadonlyArray<readonly [string, MetricType]> = [
  ['COUNTER', 'counter'],
  ['GAUGE', 'gauge'],
  ['SUMMARY', 'summary'],
  ['UNTYPED', 'untyped'],
  ['HISTOGRAM', 'histogram'],
  ['GAUGE_HISTOGRAM', 'gaugehistogram'],
];

/**
 * The type named by bytes [start, end), without making a string. ASCII case folding equals
 * `toUpperCase` on the latin1 text here: no other latin1 character upper-cases to a letter of
 * these words (`ß` becomes `SS`, which none contains).
 */
function typeWord(buf: Buffer, start: number, end: number): MetricType | undefined {
  next: for (const [word, type] of TYPE_WORDS) {
    if (end - start !== word.length) continue;
    for (let i = 0; i < word.length; i++) {
      const c = buf[start + i] as number;
      if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== word.charCodeAt(i)) continue next;
    }
    return type;
  }
  return undefined;
}

interface RawValue {
  start: number;
  end: number;
  value: string;
  escaped: boolean;
}

function isBlank(c: number | undefined): boolean {
  return c === B.SP || c === B.TAB;
}

/**
 * Prometheus text format 0.0.4 with the semantics of expfmt's `TextParser` (the parser the
 * original CF components use): blanks and tabs between tokens, `{` right after the name or after
 * blanks, trailing comma in label sets, HELP escapes `\\` `\n`, label-value escapes `\\` `\"` `\n`,
 * families re-entered by later samples, `_sum`/`_count`/`_bucket` attached to an earlier
 * summary/histogram family, integer-millisecond timestamps (int64), and every line ending in `\n`.
 * Deliberate differences (README): duplicate `le`/`quantile` labels are rejected too (expfmt lets
 * them through), and summary/histogram samples without their label are kept rather than dropped.
 *
 * Also reads the UTF-8 extension of current Prometheus: quoted metric and label names,
 * `{"my.metric", "label.name"="v"}` and `# HELP "my.metric" …`.
 *
 * Feed complete lines with `feed()`; `finish()` checks the trailing partial line.
 */
export class TextParser {
  private readonly fams = new FamilyBuilder();
  /** Families whose type is fixed: by a TYPE line or by their first sample (expfmt's rule). */
  private readonly typed = new Set<MetricFamily>();
  private line = 0;
  private buf: Buffer = Buffer.alloc(0);
  private lineStart = 0;
  private ascii = true;
  private utf8Valid = true;
  // Per-line scratch, reused across samples: the last sample's name and label names, so repeated
  // schemas share string objects instead of allocating new ones.
  private lastName = '';
  private lastFamily: MetricFamily | null = null;
  private labelNames: string[] = [];
  private labelValues: string[] = [];
  private prevLabelCount = 0;
  private value = 0;
  private ts: TimestampMs | null = null;
  private keyEnd = 0;

  /** The visitor's memo of the last good parse's comment lines (comment-memo.ts). */
  private readonly memo: CommentMemo | null;

  constructor(
    private readonly visitor: SampleVisitor | null = null,
    private readonly keepHelp = true,
  ) {
    this.fams.visited = visitor !== null;
    this.memo = visitor?.comments ?? null;
  }
  /** Result slot of readQuoted, reused: no object per label value. */
  private readonly quoted = { value: '', end: 0 };
  /** Scratch for one sample's labels, copied out with one exact-size slice. */
  private readonly scratch: string[] = [];
  private parsedLabels: Labels = [];
  private parsedName: string | null = null;
  /** Raw position of this sample's `le` / `quantile` value, checked once the family is known. */
  private leAt: RawValue | null = null;
  private readonly leRaw: RawValue = { start: 0, end: 0, value: '', escaped: false };
  private readonly quantileRaw: RawValue = { start: 0, end: 0, value: '', escaped: false };
  private quantileAt: RawValue | null = null;

  get sampleCount(): number {
    return this.fams.sampleCount;
  }

  /** Parses the complete lines in [start, end); `end` must be just past a `\n` (or the body end). */
  feed(buf: Buffer, start: number, end: number, enc: { ascii: boolean; utf8Valid: boolean }): void {
    this.buf = buf;
    this.ascii = enc.ascii;
    this.utf8Valid = enc.utf8Valid;
    let pos = start;
    const predicting = this.visitor !== null && this.visitor.predict !== undefined;
    // The fast path's loops stop at a `\n` only: keep it to chunks whose last line has one.
    let fast = enc.ascii && end > start && buf[end - 1] === B.NL && !this.ended ? this.fast : null;
    fast?.begin(buf, end);
    const memo = this.memo;
    while (pos < end) {
      if (memo !== null && buf[pos] === B.HASH) {
        const r = memo.match(buf, pos, end);
        if (r !== null) {
          this.line++;
          this.lineStart = pos;
          if (this.replayComment(r, pos)) {
            memo.keep(r);
            pos += r.length + 1;
            continue;
          }
          this.line--;
        }
      }
      if (predicting) {
        const next = this.predictedLine(pos, end);
        if (next !== -1) {
          pos = next;
          continue;
        }
      }
      if (fast !== null && buf[pos] !== B.HASH) {
        this.line++;
        this.lineStart = pos;
        const nl = fast.scan(pos);
        if (nl >= 0 && this.commitFast(pos)) {
          this.fastHits++;
          pos = nl + 1;
          continue;
        }
        this.line--;
        // A body whose samples mostly take the exact parser (escapes, blanks in braces) stops
        // paying for the attempt.
        if (++this.fastMisses > this.fastHits + 64) fast = null;
      }
      let nl = buf.indexOf(B.NL, pos);
      if (nl === -1 || nl >= end) nl = end;
      this.line++;
      this.lineStart = pos;
      if (nl === end && (end === buf.length || buf[end] !== B.NL)) {
        this.finishLine(pos, end);
        return;
      }
      this.parseLine(pos, nl);
      pos = nl + 1;
    }
  }

  /**
   * Steady state: the visitor predicts the series at `pos` (same key bytes as in the last
   * scrape, at the same place in the order) and only the value is read. Returns the start of
   * the next line, or -1 when the line is not the predicted one (it is then parsed in full).
   * The line end is found while reading the value: no separate scan for the newline.
   */
  private predictedLine(pos: number, end: number): number {
    const buf = this.buf;
    const visitor = this.visitor as SampleVisitor;
    const e = (visitor.predict as NonNullable<SampleVisitor['predict']>)(buf, pos, end);
    if (e === null) return -1;
    let fam: MetricFamily;
    if (e.name === this.lastName && this.lastFamily !== null) fam = this.lastFamily;
    else {
      this.line++;
      this.lineStart = pos;
      fam = this.resolveFamily(e.name, pos);
      this.line--;
    }
    if (fam.type !== e.type || fam.name !== e.family) return -1;
    let q = pos + e.keyLength;
    while (q < end && isBlank(buf[q])) q++;
    const vs = q;
    // One pass reads the common values, `123` and `12.5`, while finding the line end; anything
    // else (sign, exponent, Inf/NaN, over 15 digits) is read again by readFloat.
    let value = readPlainDecimal(buf, q, end);
    q = plainScan.end;
    if (value < 0 || q >= end || buf[q] !== B.NL) {
      let c = 0;
      while (q < end) {
        c = buf[q] as number;
        if (c === B.NL || c === B.SP || c === B.TAB) break;
        q++;
      }
      if (q >= end || c !== B.NL) return -1; // a timestamp, trailing blanks or the last line: the full path
      const v = readFloat(buf, vs, q);
      if (v === INVALID) return -1;
      value = v;
    }
    this.line++;
    this.fams.sampleCount++;
    (visitor.predicted as NonNullable<SampleVisitor['predicted']>)(value, null);
    return q + 1;
  }

  /** A last line without `\n`: only blanks are allowed there ("unexpected end of input stream"). */
  private finishLine(start: number, end: number): void {
    let p = start;
    while (p < end && isBlank(this.buf[p])) p++;
    if (p < end) this.fail(end, 'unexpected end of input stream (the last line must end with a newline)');
  }

  result(): MetricFamily[] {
    if (!this.ended) {
      this.ended = true;
      giveBackFastLine(this.fast);
    }
    return this.fams.result();
  }

  private fail(pos: number, reason: string): never {
    throw errorAt(this.buf, this.line, this.lineStart, pos, reason);
  }

  private str(start: number, end: number): string {
    return text(this.buf, start, end, this.ascii);
  }

  private parseLine(start: number, end: number): void {
    const buf = this.buf;
    let p = start;
    while (p < end && isBlank(buf[p])) p++;
    if (p === end) return;
    if (buf[p] === B.HASH) this.parseComment(p + 1, end);
    else this.parseSample(p, end);
  }

  private readonly fast = takeFastLine(false);
  private ended = false;
  private fastHits = 0;
  private fastMisses = 0;

  /** Completes a line the fast path read (fast-line.ts); false: parse it again with parseSample. */
  private commitFast(start: number): boolean {
    const fl = this.fast;
    const buf = this.buf;
    const slot = fl.nameSlot;
    const name = fl.names[slot] as string;
    let fam = fl.families[slot] as MetricFamily | null;
    if (fam === null) {
      fam = this.resolveFamily(name, start);
      fl.families[slot] = fam;
    }
    if (fam.type === 'histogram') {
      if (fl.leStart >= 0 && readFloat(buf, fl.leStart, fl.leEnd) === INVALID) return false;
    } else if (fam.type === 'summary') {
      if (fl.quantileStart >= 0 && readFloat(buf, fl.quantileStart, fl.quantileEnd) === INVALID) return false;
    }
    const n = fl.labelCount * 2;
    const visitor = this.visitor;
    if (visitor === null) {
      this.fams.push(fam, name, copyLabels(fl.labels, n), fl.value, fl.ts);
      return true;
    }
    // A visitor's cache is keyed by the series bytes; its labels are handed over only when new.
    const key = this.seriesKey(start, fl.keyEnd, fl.keyHash());
    this.fams.sampleCount++;
    if (!visitor.known(key, fam, fl.value, fl.ts)) {
      visitor.sample(key, fam, name, this.lend(fl.labels, n), fl.value, fl.ts);
    }
    return true;
  }

  /** Per label count, the array `sample` borrows: a visitor copies what it keeps. */
  private readonly lent: string[][] = [];

  private lend(src: readonly string[], n: number): Labels {
    let a = this.lent[n >> 1];
    if (a === undefined) {
      a = new Array<string>(n).fill('');
      this.lent[n >> 1] = a;
    }
    for (let i = 0; i < n; i++) a[i] = src[i] as string;
    return a;
  }

  /** The one key object handed to the visitor, refilled for each line. */
  private readonly key: SeriesKey = { buf: Buffer.alloc(0), start: 0, end: 0, hash: 0 };

  private seriesKey(start: number, end: number, hash: number): SeriesKey {
    const k = this.key;
    k.buf = this.buf;
    k.start = start;
    k.end = end;
    k.hash = hash;
    return k;
  }

  /** Scratch of the comment line just read: the family it named, its TYPE, its HELP text. */
  private commentName = '';
  private commentType: MetricType | null = null;
  private commentHelp: string | null = null;

  private parseComment(start: number, end: number): void {
    const kind = this.readComment(start, end);
    const memo = this.memo;
    if (memo !== null && this.buf[this.lineStart] === B.HASH) {
      const named = kind !== CommentKind.None;
      memo.record(this.buf, this.lineStart, end, kind, named ? this.commentName : '', this.commentType, this.commentHelp);
    }
  }

  private readComment(start: number, end: number): CommentKind {
    const buf = this.buf;
    this.commentType = null;
    this.commentHelp = null;
    let p = start;
    while (p < end && isBlank(buf[p])) p++;
    const kwStart = p;
    while (p < end && !isBlank(buf[p])) p++;
    if (p === end) return CommentKind.None; // a bare comment word, or "# HELP" with nothing after it
    const isHelp = bytesEqual(buf, kwStart, p, 'HELP');
    if (!isHelp && !bytesEqual(buf, kwStart, p, 'TYPE')) return CommentKind.None; // an ordinary comment
    while (p < end && isBlank(buf[p])) p++;
    let name: string;
    if (buf[p] === B.QUOTE) {
      const q = this.readQuoted(p, end, 'metric name');
      name = q.value;
      p = q.end;
    } else {
      const ns = p;
      if (p < end && charClass[buf[p] as number]! & C.NAME_START) {
        p++;
        while (p < end && charClass[buf[p] as number]! & C.NAME) p++;
      }
      if (p === end) return CommentKind.None; // expfmt: a name alone at the end of the line is no error
      if (p === ns) this.fail(p, `invalid metric name in ${isHelp ? 'HELP' : 'TYPE'} line, found ${describeByte(buf, p, end)}`);
      // The same families come every scrape: one shared string each, its hash computed once.
      name = internAscii(buf, ns, p, tokenHash(buf, ns, p));
    }
    if (p === end) return CommentKind.None;
    if (!isBlank(buf[p])) this.fail(p, `invalid metric name in comment, found ${describeByte(buf, p, end)}`);
    this.commentName = name;
    const fam = this.familyFor(name);
    while (p < end && isBlank(buf[p])) p++;
    if (p === end) return CommentKind.FamilyOnly;
    if (isHelp) {
      if (fam.help !== null) this.fail(start - 1, `second HELP line for metric name "${fam.name}"`);
      const help = this.keepHelp ? this.readHelp(p, end) : this.checkHelp(p, end);
      fam.help = help;
      if (this.keepHelp) this.commentHelp = help;
      return CommentKind.Help;
    }
    if (this.typed.has(fam)) {
      this.fail(start - 1, `second TYPE line for metric name "${fam.name}", or TYPE reported after samples`);
    }
    const type = typeWord(buf, p, end);
    if (type === undefined) this.fail(p, `unknown metric type "${this.str(p, end)}"`);
    fam.type = type;
    this.typed.add(fam);
    this.commentType = type;
    return CommentKind.Type;
  }

  /**
   * A comment line byte-identical to the one at this place in the last good parse: what
   * `readComment` would do, from the memo. `at` is the `#`. False when the memo lacks the HELP
   * text this parse keeps: the line is then parsed in full.
   */
  private replayComment(r: CommentLine, at: number): boolean {
    switch (r.kind) {
      case CommentKind.None:
        return true;
      case CommentKind.FamilyOnly:
        this.familyFor(r.name);
        return true;
      case CommentKind.Help: {
        if (this.keepHelp && r.text === null) return false;
        const fam = this.familyFor(r.name);
        if (fam.help !== null) this.fail(at, `second HELP line for metric name "${fam.name}"`);
        fam.help = this.keepHelp ? r.text : '';
        return true;
      }
      default: {
        const fam = this.familyFor(r.name);
        if (this.typed.has(fam)) this.fail(at, `second TYPE line for metric name "${fam.name}", or TYPE reported after samples`);
        fam.type = r.type as MetricType;
        this.typed.add(fam);
        return true;
      }
    }
  }

  private readHelp(start: number, end: number): string {
    const buf = this.buf;
    const bs = indexOfIn(buf, B.BSLASH, start, end);
    if (bs === -1) return utf8(buf, start, end);
    let out = '';
    let from = start;
    for (let p = bs; p < end; p++) {
      if (buf[p] !== B.BSLASH) continue;
      out += utf8(buf, from, p);
      out += this.helpEscape(p, end);
      p++;
      from = p + 1;
    }
    return out + utf8(buf, from, end);
  }

  /** `readHelp` without the text: the same errors, and `''`. */
  private checkHelp(start: number, end: number): string {
    for (let p = indexOfIn(this.buf, B.BSLASH, start, end); p !== -1; p = indexOfIn(this.buf, B.BSLASH, p + 2, end)) {
      this.helpEscape(p, end);
    }
    return '';
  }

  /** The character the escape at `p` (a backslash) stands for in HELP text. */
  private helpEscape(p: number, end: number): string {
    const n = this.buf[p + 1];
    if (n === B.BSLASH) return '\\';
    if (n === B.n) return '\n';
    this.fail(p, `invalid escape sequence ${p + 1 < end ? `'\\${String.fromCharCode(n as number)}'` : 'at end of line'} in HELP`);
  }

  /**
   * The family a name belongs to, expfmt's `setOrCreateCurrentMF`: an exact match, else the
   * family of a summary (`_sum`, `_count`) or histogram (`_sum`, `_count`, `_bucket`) it extends.
   */
  private familyFor(name: string): MetricFamily {
    const fams = this.fams;
    const exact = fams.get(name);
    if (exact !== undefined) return exact;
    let base: string | null = null;
    let suffix: 0 | 1 | 2 | 3 = 0;
    if (name.endsWith('_sum')) {
      base = name.slice(0, -4);
      suffix = 1;
    } else if (name.endsWith('_count')) {
      base = name.slice(0, -6);
      suffix = 2;
    } else if (name.endsWith('_bucket')) {
      base = name.slice(0, -7);
      suffix = 3;
    }
    if (base !== null) {
      const f = fams.get(base);
      if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== 3))) return f;
    }
    return fams.create(name, null);
  }

  private parseSample(start: number, end: number): void {
    const buf = this.buf;
    this.leAt = null;
    this.quantileAt = null;
    let p = start;
    let name: string | null = null;
    const visitor = this.visitor;
    if (visitor !== null && visitor.predict !== undefined) {
      const e = visitor.predict(buf, start, end);
      if (e !== null) {
        const fam = this.resolveFamily(e.name, start);
        if (fam.type === e.type && fam.name === e.family) {
          let q = start + e.keyLength;
          while (q < end && isBlank(buf[q])) q++;
          this.readValue(q, end);
          this.fams.sampleCount++;
          (visitor.predicted as NonNullable<SampleVisitor['predicted']>)(this.value, this.ts);
          return;
        }
      }
    }
    if (buf[p] !== B.LBRACE) {
      const ns = p;
      let h = TOKEN_SEED;
      if (charClass[buf[p] as number]! & C.NAME_START) {
        h = tokenStep(h, buf[p] as number);
        p++;
        while (p < end && charClass[buf[p] as number]! & C.NAME) {
          h = tokenStep(h, buf[p] as number);
          p++;
        }
      }
      if (p === ns) this.fail(p, `invalid metric name, found ${describeByte(buf, p, end)}`);
      const last = this.lastName;
      name = bytesEqual(buf, ns, p, last) ? last : internAscii(buf, ns, p, h);
      const nameEnd = p;
      while (p < end && isBlank(buf[p])) p++;
      if (this.visitor !== null) {
        this.visitSample(start, nameEnd, p, end, name);
        return;
      }
    }
    let labels: Labels = [];
    if (p < end && buf[p] === B.LBRACE) {
      p = this.parseLabels(p + 1, end, name);
      labels = this.parsedLabels;
      name = this.parsedName;
    }
    if (name === null) this.fail(p, 'missing metric name');
    const fam = this.resolveFamily(name, start);
    if (fam.type === 'summary' || fam.type === 'histogram') this.checkSpecialLabel(fam, start);
    this.readValue(p, end);
    if (this.visitor !== null)
      this.visitor.sample(this.seriesKey(start, this.keyEnd, keyHash(buf, start, this.keyEnd)), fam, name, labels, this.value, this.ts);
    else this.fams.push(fam, name, labels, this.value, this.ts);
  }

  /**
   * With a visitor: the series text `name{…}` is the cache key. A key the visitor knows was
   * validated when first seen (same bytes, same family type), so its labels are not parsed again.
   */
  private visitSample(start: number, nameEnd: number, p: number, end: number, name: string): void {
    const buf = this.buf;
    const visitor = this.visitor as SampleVisitor;
    const fam = this.resolveFamily(name, start);
    let keyEnd = nameEnd;
    let q = p;
    if (q < end && buf[q] === B.LBRACE) {
      // Quote-aware scan for the closing brace; syntax is checked by parseLabels on a miss.
      let inQuote = false;
      for (; q < end; q++) {
        const c = buf[q] as number;
        if (inQuote) {
          if (c === B.BSLASH) q++;
          else if (c === B.QUOTE) inQuote = false;
        } else if (c === B.QUOTE) inQuote = true;
        else if (c === B.RBRACE) break;
      }
      if (q >= end) this.parseLabels(p + 1, end, name); // unterminated: reports the exact error
      keyEnd = q + 1;
      q = keyEnd;
      while (q < end && isBlank(buf[q])) q++;
    }
    this.readValue(q, end);
    const key = this.seriesKey(start, keyEnd, keyHash(buf, start, keyEnd));
    if (visitor.known(key, fam, this.value, this.ts)) {
      this.fams.sampleCount++;
      return;
    }
    let labels: Labels = [];
    if (p < end && buf[p] === B.LBRACE) {
      const after = this.parseLabels(p + 1, end, name);
      if (after !== q) this.fail(after, 'unexpected text after the label set');
      labels = this.parsedLabels;
    }
    if (fam.type === 'summary' || fam.type === 'histogram') this.checkSpecialLabel(fam, start);
    this.fams.sampleCount++;
    visitor.sample(key, fam, name, labels, this.value, this.ts);
  }

  /** The last few names resolved: histogram and summary lines cycle through three names. */
  private readonly recentNames: string[] = ['', '', '', ''];
  private readonly recentFamilies: Array<MetricFamily | null> = [null, null, null, null];
  private recentNext = 0;

  private resolveFamily(name: string, start: number): MetricFamily {
    // Once a name resolves to a family it always resolves to the same one, so cache the last.
    if (name === this.lastName && this.lastFamily !== null) return this.lastFamily;
    const names = this.recentNames;
    for (let i = 0; i < 4; i++) {
      const f = this.recentFamilies[i] as MetricFamily | null;
      if (f !== null && names[i] === name) {
        this.lastName = name;
        this.lastFamily = f;
        return f;
      }
    }
    const fam = this.familyFor(name);
    this.typed.add(fam);
    if (fam.type === 'gaugehistogram') this.fail(start, `unexpected type for metric name "${fam.name}"`);
    this.lastName = name;
    this.lastFamily = fam;
    names[this.recentNext] = name;
    this.recentFamilies[this.recentNext] = fam;
    this.recentNext = (this.recentNext + 1) & 3;
    return fam;
  }

  /** Reads `value [timestamp]` from p to the end of the line into this.value / this.ts. */
  private readValue(p: number, end: number): void {
    const buf = this.buf;
    this.keyEnd = p;
    while (this.keyEnd > 0 && isBlank(buf[this.keyEnd - 1])) this.keyEnd--;
    const vs = p;
    while (p < end && !isBlank(buf[p])) p++;
    const value = readFloat(buf, vs, p);
    if (value === INVALID) this.fail(vs, `expected float as value, got "${this.str(vs, p)}"`);
    this.value = value;
    this.ts = null;
    if (p < end) {
      p++;
      while (p < end && isBlank(buf[p])) p++;
      const ts0 = p;
      while (p < end && !isBlank(buf[p])) p++;
      const t = readInt64(buf, ts0, p);
      if (t === INVALID) this.fail(ts0, `expected integer as timestamp, got "${this.str(ts0, p)}"`);
      this.ts = t;
      if (p < end) this.fail(p, `spurious string after timestamp: "${this.str(p, end)}"`);
    }
  }

  /** expfmt requires `quantile` (summaries) and `le` (histograms) to be floats. */
  private checkSpecialLabel(fam: MetricFamily, pos: number): void {
    const isSummary = fam.type === 'summary';
    const vs = isSummary ? this.quantileAt : this.leAt;
    if (vs === null) return;
    const b = vs.escaped ? Buffer.from(vs.value) : this.buf;
    const ok = vs.escaped ? readFloat(b, 0, b.length) : readFloat(b, vs.start, vs.end);
    if (ok === INVALID) this.fail(pos, `expected float as value for '${isSummary ? 'quantile' : 'le'}' label, got "${vs.value}"`);
  }

  /** Reads a quoted string (label-value escapes); `end` of the result is just past the closing quote. */
  private readQuoted(start: number, end: number, what: string, prev = ''): { value: string; end: number } {
    const buf = this.buf;
    let p = start + 1;
    let h = TOKEN_SEED;
    let c = 0;
    // Fast path, one pass: no escapes; compared on the way with the previous sample's value at
    // this position (histogram and summary lines repeat them), hashed for interning otherwise.
    let same = true;
    const plen = prev.length;
    for (let i = 0; p < end; p++, i++) {
      c = buf[p] as number;
      if (c === B.QUOTE || c === B.BSLASH) break;
      if (same) {
        if (i < plen && prev.charCodeAt(i) === c) continue;
        // First difference: hash the prefix (equal to the previous value's) and go on hashing.
        same = false;
        for (let j = start + 1; j < p; j++) h = tokenStep(h, buf[j] as number);
      }
      h = tokenStep(h, c);
    }
    if (same && p - start - 1 !== plen) {
      // A proper prefix of the previous value: never hashed on the way.
      for (let j = start + 1; j < p; j++) h = tokenStep(h, buf[j] as number);
    }
    const q = this.quoted;
    if (p < end && c === B.QUOTE) {
      if (same && p - start - 1 === plen && this.ascii) q.value = prev;
      else if (this.ascii) q.value = internAscii(buf, start + 1, p, h);
      else {
        if (!this.utf8Valid && !isUtf8(buf.subarray(start + 1, p))) this.fail(start, `invalid UTF-8 in ${what}`);
        q.value = utf8(buf, start + 1, p);
      }
      q.end = p + 1;
      return q;
    }
    let out = this.str(start + 1, p);
    let from = p;
    for (; p < end; p++) {
      c = buf[p] as number;
      if (c === B.QUOTE) break;
      if (c === B.BSLASH) {
        out += this.str(from, p);
        const n = buf[p + 1];
        if (n === B.BSLASH) out += '\\';
        else if (n === B.QUOTE) out += '"';
        else if (n === B.n) out += '\n';
        else if (p + 1 >= end) this.fail(end, `${what} contains unescaped new-line`);
        else this.fail(p, `invalid escape sequence '\\${utf8(buf, p + 1, Math.min(end, p + 5)).charAt(0)}' in ${what}`);
        p++;
        from = p + 1;
      }
    }
    if (p >= end) this.fail(end, `${what} contains unescaped new-line or is not terminated`);
    if (!this.utf8Valid && !isUtf8(buf.subarray(start + 1, p))) this.fail(start, `invalid UTF-8 in ${what}`);
    q.value = out + this.str(from, p);
    q.end = p + 1;
    return q;
  }

  /** Parses a label set after `{`; leaves the result in parsedLabels/parsedName and returns the end. */
  private parseLabels(start: number, end: number, outerName: string | null): number {
    const buf = this.buf;
    // Written by index, never truncated: setting `length = 0` makes V8 drop the backing store.
    const labels = this.scratch;
    let n = 0;
    const names = this.labelNames;
    const values = this.labelValues;
    let schemaSeen = true;
    const prevCount = this.prevLabelCount;
    this.prevLabelCount = 0;
    let name = outerName;
    let p = start;
    let idx = 0;
    for (;;) {
      while (p < end && isBlank(buf[p])) p++;
      if (p < end && buf[p] === B.RBRACE) {
        p++;
        break;
      }
      let lname: string;
      const ls = p;
      if (p < end && buf[p] === B.QUOTE) {
        const q = this.readQuoted(p, end, 'label name');
        p = q.end;
        while (p < end && isBlank(buf[p])) p++;
        if (buf[p] !== B.EQ) {
          // A quoted string on its own inside the braces is the metric name (UTF-8 extension).
          if (name === null && n === 0 && (buf[p] === B.COMMA || buf[p] === B.RBRACE)) {
            name = q.value;
            if (buf[p] === B.COMMA) p++;
            continue;
          }
          this.fail(p, `expected '=' after label name, found ${describeByte(buf, p, end)}`);
        }
        lname = q.value;
        // Recorded like a bare name: a stale entry here would let a later duplicate pass unchecked.
        names[idx] = lname;
        schemaSeen = false;
        if (lname === '') this.fail(ls, 'empty label name');
      } else {
        // One pass: validate the name's bytes and compare them with the previous line's name here.
        const prev = names[idx] ?? '';
        const plen = prev.length;
        let same = true;
        if (p < end && charClass[buf[p] as number]! & C.LABEL_START) {
          same = plen > 0 && prev.charCodeAt(0) === buf[p];
          p++;
          for (let i = 1; p < end; p++, i++) {
            const c = buf[p] as number;
            if (!(charClass[c]! & C.LABEL)) break;
            if (same && (i >= plen || prev.charCodeAt(i) !== c)) same = false;
          }
        }
        if (p === ls) this.fail(p, `invalid label name for metric "${name ?? ''}", found ${describeByte(buf, p, end)}`);
        if (same && p - ls === plen) lname = prev;
        else {
          lname = latin1(buf, ls, p);
          names[idx] = lname;
          schemaSeen = false;
        }
        while (p < end && isBlank(buf[p])) p++;
        if (buf[p] !== B.EQ) this.fail(p, `expected '=' after label name, found ${describeByte(buf, p, end)}`);
      }
      // Names 0..idx equal to the previous sample's (same string objects) were checked with it.
      if (!schemaSeen || idx >= prevCount) {
        if (lname === '__name__') this.fail(ls, 'label name "__name__" is reserved');
        for (let i = 0; i < n; i += 2) {
          if (labels[i] === lname) this.fail(ls, `duplicate label name "${lname}" for metric "${name ?? ''}"`);
        }
      }
      p++;
      while (p < end && isBlank(buf[p])) p++;
      if (buf[p] !== B.QUOTE) this.fail(p, `expected '"' at start of label value, found ${describeByte(buf, p, end)}`);
      const q = this.readQuoted(p, end, 'label value', values[idx]);
      values[idx] = q.value;
      labels[n++] = lname;
      labels[n++] = q.value;
      if (lname === 'le' || lname === 'quantile') {
        const at = lname === 'le' ? this.leRaw : this.quantileRaw;
        at.start = p + 1;
        at.end = q.end - 1;
        at.value = q.value;
        at.escaped = q.end - 2 - p !== q.value.length;
        if (lname === 'le') this.leAt = at;
        else this.quantileAt = at;
      }
      idx++;
      p = q.end;
      while (p < end && isBlank(buf[p])) p++;
      if (buf[p] === B.COMMA) {
        p++;
        continue;
      }
      if (buf[p] === B.RBRACE) {
        p++;
        break;
      }
      this.fail(p, `unexpected end of label value "${q.value}", expected ',' or '}' but found ${describeByte(buf, p, end)}`);
    }
    while (p < end && isBlank(buf[p])) p++;
    this.prevLabelCount = idx;
    this.parsedLabels = copyLabels(labels, n);
    this.parsedName = name;
    return p;
  }
}
