import type { Labels } from '../exposition/index.js';
import type { PreparedBytes } from './convert.js';
import { varintLen, writeVarint } from './encode.js';

/**
 * A series' constant envelope bytes, computed once when the scrape engine first sees it: written
 * into one scratch buffer and copied out per field. A first scrape prepares every series, so this
 * is its per-series cost: building them from arrays of numbers, spread typed arrays and a
 * `TextEncoder` per string cost 25–45 µs a series; ASCII strings (nearly all) are written here
 * character by character.
 */
export function prepareBytes(sourceId: string, name: string, unit: string, instanceId: string, tags: Labels): PreparedBytes {
  const w = writer;
  w.pos = 0;
  w.string(0x12, sourceId, false);
  const nameAt = w.pos;
  w.string(0x0a, name, true);
  const unitAt = w.pos;
  w.string(0x0a, unit, false);
  const tailAt = w.pos;
  w.string(0x42, instanceId, false);
  for (let i = 0; i + 1 < tags.length; i += 2) {
    // Map entries always carry key and value, even empty ones (as Go and protobuf-es write them).
    const k = tags[i] as string;
    const v = tags[i + 1] as string;
    const kLen = utf8Length(k);
    const vLen = utf8Length(v);
    w.ensure(12);
    w.buf[w.pos++] = 0x4a;
    w.pos = writeVarint(w.buf, w.pos, 2 + varintLen(kLen) + kLen + varintLen(vLen) + vLen);
    w.stringOfLength(0x0a, k, kLen);
    w.stringOfLength(0x12, v, vLen);
  }
  const end = w.pos;
  // The source_id field, instance_id and tags, then per kind the rest up to the value: one
  // allocation (from Node's pool when small) for the four parts a series keeps.
  const pre = nameAt + (end - tailAt);
  const nameLen = unitAt - nameAt;
  const unitLen = tailAt - unitAt;
  const gauge = gaugeShape(nameLen, unitLen, 9);
  const zero = gaugeShape(nameLen, unitLen, 0);
  const all = Buffer.allocUnsafe(pre + 1 + pre + gauge.length + pre + zero.length + nameLen);
  let p = 0;
  const part = (length: number): Buffer => {
    const b = all.subarray(p, p + length);
    p += length;
    return b;
  };
  const counter = part(pre + 1);
  w.prefix(counter, nameAt, tailAt, end);
  counter[pre] = 0x2a;
  const gaugeHead = part(pre + gauge.length);
  w.gaugeHead(gaugeHead, nameAt, unitAt, tailAt, end, gauge);
  const gaugeZero = part(pre + zero.length);
  w.gaugeHead(gaugeZero, nameAt, unitAt, tailAt, end, zero);
  const nameBytes = part(nameLen);
  copyRange(w.buf, nameAt, unitAt, nameBytes, 0);
  return { name: nameBytes, heads: { counter, gauge: gaugeHead, gaugeZero } };
}

/** A gauge's lengths past the tags: `valueLen` 9 for a value (tag and double), 0 for none (+0). */
interface GaugeShape {
  bodyLen: number;
  entryLen: number;
  gvLen: number;
  valueLen: number;
  /** Bytes from the oneof tag to the value (the value's own 8 bytes excluded). */
  length: number;
}

function gaugeShape(nameLen: number, unitLen: number, valueLen: number): GaugeShape {
  const gvLen = unitLen + valueLen;
  const entryLen = nameLen + 1 + varintLen(gvLen) + gvLen;
  const bodyLen = 1 + varintLen(entryLen) + entryLen;
  return { bodyLen, entryLen, gvLen, valueLen, length: 1 + varintLen(bodyLen) + bodyLen - valueLen + (valueLen !== 0 ? 1 : 0) };
}

/** Bytes [from, to) of `src` to `dst` at `at`; returns the end. A loop: these runs are short, and `Buffer#copy` costs more per call than they take. */
function copyRange(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  for (let i = from; i < to; i++) dst[at++] = src[i] as number;
  return at;
}

/** UTF-8 byte length; ASCII strings are counted without leaving JavaScript. */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

class FieldWriter {
  buf = Buffer.allocUnsafe(4096);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A length-delimited string field; an empty one is left out unless `always`. */
  string(tag: number, s: string, always: boolean): void {
    if (s === '' && !always) return;
    this.stringOfLength(tag, s, utf8Length(s));
  }

  stringOfLength(tag: number, s: string, len: number): void {
    this.ensure(len + 11);
    const buf = this.buf;
    buf[this.pos++] = tag;
    let pos = writeVarint(buf, this.pos, len);
    if (len === s.length) for (let i = 0; i < len; i++) buf[pos++] = s.charCodeAt(i);
    else pos += buf.write(s, pos, len, 'utf8');
    this.pos = pos;
  }

  /** The source_id field and the tail (instance_id, tags) into `out`; returns their length. */
  prefix(out: Buffer, nameAt: number, tailAt: number, end: number): number {
    copyRange(this.buf, 0, nameAt, out, 0);
    return copyRange(this.buf, tailAt, end, out, nameAt);
  }

  /** The prefix, then Gauge{metrics: {name: GaugeValue{unit, [value tag]}}} up to the value. */
  gaugeHead(out: Buffer, nameAt: number, unitAt: number, tailAt: number, end: number, g: GaugeShape): void {
    let p = this.prefix(out, nameAt, tailAt, end);
    out[p++] = 0x32;
    p = writeVarint(out, p, g.bodyLen);
    out[p++] = 0x0a;
    p = writeVarint(out, p, g.entryLen);
    p = copyRange(this.buf, nameAt, unitAt, out, p);
    out[p++] = 0x12;
    p = writeVarint(out, p, g.gvLen);
    p = copyRange(this.buf, unitAt, tailAt, out, p);
    if (g.valueLen !== 0) out[p] = 0x11;
  }
}

const writer = new FieldWriter();
