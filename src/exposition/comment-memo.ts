import { copyBytes, sameBytes, viewOf } from './bytes.js';
import type { MetricType } from './types.js';

/** What a text-format comment line did to the parse, so a byte-identical line can do it again. */
export const CommentKind = {
  /** No effect: an ordinary comment, or a HELP/TYPE line that names no family. */
  None: 0,
  /** Names a family and stops there (`# HELP name` followed by blanks only). */
  FamilyOnly: 1,
  Help: 2,
  Type: 3,
  /** OpenMetrics only. */
  Unit: 4,
} as const;
export type CommentKind = (typeof CommentKind)[keyof typeof CommentKind];

export interface CommentLine {
  /** The line's bytes (from `#`, without the newline) in the memo's arena. */
  offset: number;
  length: number;
  kind: CommentKind;
  /** The family named (interned), `''` for `None`. */
  name: string;
  type: MetricType | null;
  /** The decoded HELP text when the parse that recorded it kept HELP text, the UNIT; else null. */
  text: string | null;
}

const MIN_ARENA = 4 << 10;

/**
 * The comment lines (`# HELP`, `# TYPE`, others; OpenMetrics' `# UNIT`) of one source's last good
 * parse, in order, with what each meant. Sources repeat their HELP and TYPE lines byte for byte every
 * scrape, so the parser compares the next comment line with the one at the same place last time
 * (8 bytes at a time) and, when equal, applies the remembered effect instead of scanning,
 * interning and validating the line again: in steady state that was about a fifth of the parse.
 * Owned by the visitor's cache (`SeriesKeyCache.comments`), with the same begin/commit/rollback
 * life cycle; the parser finds it through `SampleVisitor.comments`.
 */
export class CommentMemo {
  private arena: Buffer = Buffer.allocUnsafe(MIN_ARENA);
  private arenaView = viewOf(this.arena);
  private used = 0;
  private passArena = 0;
  private last: CommentLine[] = [];
  private lastLength = 0;
  private next: CommentLine[] = [];
  private nextLength = 0;
  private viewed: Buffer | null = null;
  private view = this.arenaView;

  /** Comment lines remembered from the last good parse (tests, metrics). */
  get size(): number {
    return this.lastLength;
  }

  begin(): void {
    this.nextLength = 0;
    this.passArena = this.used;
    this.viewed = null;
  }

  /**
   * The line remembered at this parse's current comment position, if its bytes start at `start`
   * and are followed by a newline before `end`; else null (the line is parsed in full).
   */
  match(buf: Buffer, start: number, end: number): CommentLine | null {
    if (this.nextLength >= this.lastLength) return null;
    const r = this.last[this.nextLength] as CommentLine;
    const len = r.length;
    if (start + len >= end || buf[start + len] !== 0x0a) return null;
    return sameBytes(this.viewOfLine(buf), start, this.arenaView, r.offset, len) ? r : null;
  }

  private viewOfLine(buf: Buffer): DataView {
    if (buf !== this.viewed) {
      this.viewed = buf;
      this.view = viewOf(buf);
    }
    return this.view;
  }

  /** A matched line, applied: it is this parse's next comment line too. */
  keep(r: CommentLine): void {
    this.next[this.nextLength++] = r;
  }

  /** A comment line parsed in full (bytes [start, end) without the newline) and what it did. */
  record(buf: Buffer, start: number, end: number, kind: CommentKind, name: string, type: MetricType | null, text: string | null): void {
    const len = end - start;
    if (this.used + len > this.arena.length) this.grow(this.used + len);
    copyBytes(this.viewOfLine(buf), start, this.arenaView, this.used, len);
    this.next[this.nextLength++] = { offset: this.used, length: len, kind, name, type, text };
    this.used += len;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(2 * need, MIN_ARENA));
    this.arena.copy(next, 0, 0, this.used);
    this.arena = next;
    this.arenaView = viewOf(next);
  }

  /** After a good parse: its lines predict the next parse's; the bytes of lines gone are reclaimed. */
  commit(): void {
    const count = this.nextLength;
    const done = this.last;
    this.last = this.next;
    this.lastLength = count;
    this.next = done;
    this.nextLength = 0;
    if (this.last.length > count) this.last.length = count;
    this.next.length = 0;
    let live = 0;
    for (let i = 0; i < count; i++) live += (this.last[i] as CommentLine).length;
    if (this.used > 2 * live + MIN_ARENA) {
      const compact = Buffer.allocUnsafe(Math.max(MIN_ARENA, Math.ceil(live * 1.25)));
      let off = 0;
      for (let i = 0; i < count; i++) {
        const r = this.last[i] as CommentLine;
        this.arena.copy(compact, off, r.offset, r.offset + r.length);
        r.offset = off;
        off += r.length;
      }
      this.arena = compact;
      this.arenaView = viewOf(compact);
      this.used = off;
    }
    this.viewed = null;
  }

  /** After a failed parse: forget what it recorded; the last good parse's lines stay. */
  rollback(): void {
    this.next.length = 0;
    this.nextLength = 0;
    this.used = this.passArena;
    this.viewed = null;
  }

  clear(): void {
    this.last = [];
    this.lastLength = 0;
    this.next = [];
    this.nextLength = 0;
    this.used = 0;
    this.passArena = 0;
    this.viewed = null;
  }
}
