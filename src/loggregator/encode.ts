import type { PreparedEnvelope } from './convert.js';

/**
 * Hand encoder for the hot path: writes envelopes already framed as `EnvelopeBatch.batch`
 * entries (field 1), so concatenated entries are a valid EnvelopeBatch message. Field order and
 * presence are those of the Go client (protobuf-go generated code): plain fields by number, then
 * the oneof last ("to preserve compatibility with historic wire output"), proto3 zero values
 * omitted, map entries always with key and value. `encode.test.ts` checks it byte for byte
 * against protobuf-es (assembled in that order) and against bytes produced by protobuf-go.
 *
 * Envelope layout: [1 timestamp] [2 source_id] [8 instance_id] [9 tags…] [5 counter | 6 gauge].
 */
export class EnvelopeWriter {
  buf: Buffer;
  /** Over `buf`, for unaligned multi-byte writes; replaced with it. */
  view: DataView;
  pos = 0;
  /** Envelopes written since the last reset; envelope i ends at `ends[i]`. */
  count = 0;
  ends: Uint32Array;

  constructor(initialBytes = 16384, initialEnvelopes = 128) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.ends = new Uint32Array(initialEnvelopes);
  }

  reset(): void {
    this.pos = 0;
    this.count = 0;
  }

  /** Room for `n` more bytes after `pos`; what is before `pos` is kept. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    next.set(this.buf.subarray(0, this.pos), 0);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /** Room for one more envelope's bookkeeping; returns its index (`count`). */
  reserveIndex(): number {
    const i = this.count;
    if (i === this.ends.length) this.growIndex(i * 2);
    return i;
  }

  protected growIndex(n: number): void {
    const ends = new Uint32Array(n);
    ends.set(this.ends.subarray(0, this.count));
    this.ends = ends;
  }

  private endEnvelope(): void {
    const i = this.reserveIndex(); // first: it may replace `ends`
    this.ends[i] = this.pos;
    this.count = i + 1;
  }

  /**
   * A counter envelope; `total` is a uint64 that is a safe integer (the common case). Returns the
   * length of the envelope's length prefix (as the other writes do).
   */
  writeCounter(p: PreparedEnvelope, timestampField: Uint8Array, total: number): number {
    const b = p.bytes;
    const head = b.heads.counter;
    const name = b.name;
    const bodyLen = name.length + (total === 0 ? 0 : 1 + varintLen(total));
    const envLen = timestampField.length + head.length + varintLen(bodyLen) + bodyLen;
    this.ensure(6 + envLen);
    this.buf[this.pos++] = 0x0a;
    const lenLen = this.varint(envLen);
    this.bytes(timestampField);
    this.bytes(head);
    this.varint(bodyLen);
    this.bytes(name);
    if (total !== 0) {
      this.buf[this.pos++] = 0x18;
      this.varint(total);
    }
    this.endEnvelope();
    return lenLen;
  }

  /** A counter envelope whose total needs more than 53 bits. */
  writeCounterBig(p: PreparedEnvelope, timestampField: Uint8Array, total: bigint): number {
    const b = p.bytes;
    const head = b.heads.counter;
    const bodyLen = b.name.length + (total === 0n ? 0 : 1 + bigVarintLen(total));
    const envLen = timestampField.length + head.length + varintLen(bodyLen) + bodyLen;
    this.ensure(6 + envLen);
    this.buf[this.pos++] = 0x0a;
    const lenLen = this.varint(envLen);
    this.bytes(timestampField);
    this.bytes(head);
    this.varint(bodyLen);
    this.bytes(b.name);
    if (total !== 0n) {
      this.buf[this.pos++] = 0x18;
      this.bigVarint(total);
    }
    this.endEnvelope();
    return lenLen;
  }

  /** A gauge envelope with one metric: `name` → GaugeValue{unit, value} (unit "" for counter series). */
  writeGauge(p: PreparedEnvelope, timestampField: Uint8Array, value: number): number {
    const heads = p.bytes.heads;
    let lenLen: number;
    // proto3 omits a double only when it is +0 (Go and protobuf-es both keep -0).
    if (value === 0 && 1 / value > 0) {
      const head = heads.gaugeZero;
      const envLen = timestampField.length + head.length;
      this.ensure(6 + envLen);
      this.buf[this.pos++] = 0x0a;
      lenLen = this.varint(envLen);
      this.bytes(timestampField);
      this.bytes(head);
    } else {
      const head = heads.gauge;
      const envLen = timestampField.length + head.length + 8;
      this.ensure(6 + envLen);
      this.buf[this.pos++] = 0x0a;
      lenLen = this.varint(envLen);
      this.bytes(timestampField);
      this.bytes(head);
      this.view.setFloat64(this.pos, value, true);
      this.pos += 8;
    }
    this.endEnvelope();
    return lenLen;
  }

  private bytes(src: Uint8Array): void {
    const n = src.length;
    if (n < 16) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = src[i] as number;
      this.pos = pos;
    } else {
      this.buf.set(src, this.pos);
      this.pos += n;
    }
  }

  /** Unsigned varint of a non-negative safe integer; returns its length. */
  private varint(n: number): number {
    const start = this.pos;
    this.pos = writeVarint(this.buf, start, n);
    return this.pos - start;
  }

  private bigVarint(n: bigint): void {
    while (n > 0x7fn) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }
}

/** Writes the varint of a non-negative safe integer at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 0x80000000) {
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
  } else {
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
  }
  buf[pos++] = n;
  return pos;
}

export function varintLen(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let len = 5;
  for (n = Math.floor(n / 0x800000000); n > 0; n = Math.floor(n / 128)) len++;
  return len;
}

function bigVarintLen(n: bigint): number {
  let len = 1;
  while (n > 0x7fn) {
    n >>= 7n;
    len++;
  }
  return len;
}

/** Envelope field 1 (int64 timestamp in ns), or empty for 0 (proto3 omits it). */
export function timestampField(ns: bigint): Uint8Array {
  if (ns === 0n) return new Uint8Array(0);
  let u = BigInt.asUintN(64, ns);
  const out: number[] = [0x08];
  while (u > 0x7fn) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Uint8Array.from(out);
}
