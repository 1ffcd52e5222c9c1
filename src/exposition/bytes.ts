/** Byte constants of the exposition formats. */
export const B = {
  TAB: 0x09,
  NL: 0x0a,
  CR: 0x0d,
  SP: 0x20,
  QUOTE: 0x22,
  HASH: 0x23,
  PLUS: 0x2b,
  COMMA: 0x2c,
  MINUS: 0x2d,
  DOT: 0x2e,
  ZERO: 0x30,
  NINE: 0x39,
  COLON: 0x3a,
  EQ: 0x3d,
  BSLASH: 0x5c,
  UNDERSCORE: 0x5f,
  LBRACE: 0x7b,
  RBRACE: 0x7d,
  n: 0x6e,
} as const;

/** Bit flags per byte: metric-name start/continuation, label-name start/continuation. */
export const C = { NAME_START: 1, NAME: 2, LABEL_START: 4, LABEL: 8 } as const;
export const charClass = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === B.UNDERSCORE;
  const digit = c >= B.ZERO && c <= B.NINE;
  let f = 0;
  if (alpha || c === B.COLON) f |= C.NAME_START | C.NAME;
  if (digit) f |= C.NAME | C.LABEL;
  if (alpha) f |= C.LABEL_START | C.LABEL;
  charClass[c] = f;
}

/**
 * Buffer's own slice decoders: measurably faster than `toString(enc, s, e)`, which re-checks its
 * arguments on every call (this is the hot path of every parse).
 */
interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as FastSlices).latin1Slice(start, end);
}
export function utf8(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as FastSlices).utf8Slice(start, end);
}

/** Text of bytes [start, end): latin1 when the body is known to be ASCII (faster), else UTF-8. */
export function text(buf: Buffer, start: number, end: number, ascii: boolean): string {
  return ascii ? latin1(buf, start, end) : utf8(buf, start, end);
}

/** True when bytes [start, end) equal the ASCII string `s`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** A readable rendering of one byte for error messages, as Go's %q of a byte would show it. */
export function describeByte(buf: Buffer, pos: number, end: number): string {
  if (pos >= end) return 'end of line';
  const c = buf[pos] as number;
  if (c === B.NL) return '"\\n"';
  if (c === B.TAB) return '"\\t"';
  if (c < 0x20 || c === 0x7f) return `"\\x${c.toString(16).padStart(2, '0')}"`;
  if (c >= 0x80) return `"${utf8(buf, pos, Math.min(end, pos + 4)).charAt(0)}"`;
  return `"${String.fromCharCode(c)}"`;
}

/** `buf.indexOf(byte, start)` bounded to `end`: Buffer#indexOf would scan the rest of the body. */
export function indexOfIn(buf: Buffer, byte: number, start: number, end: number): number {
  for (let p = start; p < end; p++) if (buf[p] === byte) return p;
  return -1;
}

/** A DataView over exactly the bytes of `b`, for `sameBytes` and `copyBytes`. */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Whether a[as, as + len) equals b[bs, bs + len), eight bytes at a time: as doubles, which are
 * equal only when their bits are, but for 0 and -0 (and a NaN equals nothing): then as integers.
 */
export function sameBytes(a: DataView, as: number, b: DataView, bs: number, len: number): boolean {
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const x = a.getFloat64(as + i, true);
    if (
      (x !== b.getFloat64(bs + i, true) || x === 0) &&
      (a.getInt32(as + i) !== b.getInt32(bs + i) || a.getInt32(as + i + 4) !== b.getInt32(bs + i + 4))
    )
      return false;
  }
  for (; i + 4 <= len; i += 4) if (a.getInt32(as + i) !== b.getInt32(bs + i)) return false;
  for (; i < len; i++) if (a.getUint8(as + i) !== b.getUint8(bs + i)) return false;
  return true;
}

/**
 * Copies src[ss, ss + len) to dst[ds, ds + len) four bytes at a time. For the short ranges of
 * series keys this beats `Buffer#copy`, whose JavaScript wrapper builds a view per call.
 */
export function copyBytes(src: DataView, ss: number, dst: DataView, ds: number, len: number): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) dst.setInt32(ds + i, src.getInt32(ss + i));
  for (; i < len; i++) dst.setUint8(ds + i, src.getUint8(ss + i));
}
