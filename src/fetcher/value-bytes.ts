/**
 * Sample values written from the scraped bytes instead of parsed and formatted again: a decimal
 * of at most 15 significant digits is rewritten on its digits into what `formatValue` would write
 * for the number it reads as (a Go client's output is that already; `1.50`, `1234567`, `5e-2`,
 * `+1` are not). Anything else returns -1 and the caller formats the parsed number.
 *
 * Why this is exact: distinct decimals of at most 15 significant digits never read as the same
 * double, so such a decimal without trailing zeros is the shortest one that reads back as its
 * double: the digits `formatValue` writes, in plain notation for a decimal exponent in [-4, 6) and
 * in Go's exponent notation otherwise.
 */

import { bytesEqual } from '../exposition/index.js';

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const E = 0x65;
const E_UPPER = 0x45;
const MAX_DIGITS = 15;
/** Exponents well inside the normal range: no overflow, no subnormal with fewer digits. */
const MAX_EXP = 300;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= ZERO + 9;
}

/** Copies src[start, end) to out at pos; returns the position after. */
function copy(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  for (let i = start; i < end; i++) out[pos++] = src[i] as number;
  return pos;
}

/** The digit at `k` of the mantissa digits src[a, b) followed by src[c, …) (the dot skipped). */
function digitAt(src: Uint8Array, a: number, b: number, c: number, k: number): number {
  return k < b - a ? (src[a + k] as number) : (src[c + k - (b - a)] as number);
}

/**
 * Writes the value exposed as src[start, end) to out at pos as `formatValue` would write the
 * number it reads as; returns the position after it, or -1 when the bytes are not a decimal of at
 * most 15 significant digits in range (or `+Inf`, `-Inf`, `NaN`): the caller then formats the
 * parsed value. Accepts only what `readFloat` accepts. `out` needs room for 32 bytes.
 */
export function writeValueBytes(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  // The common case first: a plain decimal already as formatValue writes it (a short integer, or
  // a fraction without trailing zero), copied as it is.
  const len = end - start;
  if (len > 0 && len <= 16) {
    let k = start;
    if (src[k] === MINUS) k++;
    const intStart = k;
    while (k < end && isDigit(src[k])) k++;
    const intLen = k - intStart;
    if (k === end && intLen > 6 && intLen <= MAX_DIGITS && src[intStart] !== ZERO) {
      // A longer integer (a big counter): d.ddde+XX, trailing zeros dropped.
      let last = end - 1;
      while (src[last] === ZERO) last--;
      let p = pos;
      if (intStart !== start) out[p++] = MINUS;
      out[p++] = src[intStart] as number;
      if (last > intStart) {
        out[p++] = DOT;
        for (let d = intStart + 1; d <= last; d++) out[p++] = src[d] as number;
      }
      out[p++] = E;
      out[p++] = PLUS;
      out[p++] = intLen > 10 ? ZERO + 1 : ZERO;
      out[p++] = ZERO + ((intLen - 1) % 10);
      return p;
    }
    if (intLen > 0 && intLen <= 6 && (src[intStart] !== ZERO || intLen === 1)) {
      if (k === end && (src[intStart] !== ZERO || intStart === start)) return copy(src, start, end, out, pos);
      if (src[k] === DOT && src[intStart] !== ZERO && src[end - 1] !== ZERO) {
        let d = k + 1;
        while (d < end && isDigit(src[d])) d++;
        if (d === end && d > k + 1 && intLen + (d - k - 1) <= MAX_DIGITS) return copy(src, start, end, out, pos);
      }
    }
  }
  let i = start;
  const c0 = src[i];
  const neg = c0 === MINUS;
  if (neg || c0 === PLUS) {
    if (bytesEqual(src, start, end, '+Inf') || bytesEqual(src, start, end, '-Inf')) return copy(src, start, end, out, pos);
    i++;
  } else if (bytesEqual(src, start, end, 'NaN')) return copy(src, start, end, out, pos);
  const intStart = i;
  while (i < end && isDigit(src[i])) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && src[i] === DOT) {
    fracStart = ++i;
    while (i < end && isDigit(src[i])) i++;
    fracEnd = i;
  }
  const intLen = intEnd - intStart;
  const n = intLen + fracEnd - fracStart;
  if (n === 0) return -1;
  let exp10 = 0;
  if (i < end && (src[i] === E || src[i] === E_UPPER)) {
    i++;
    const expNeg = src[i] === MINUS;
    if (expNeg || src[i] === PLUS) i++;
    const expStart = i;
    while (i < end && isDigit(src[i])) {
      exp10 = exp10 * 10 + ((src[i] as number) - ZERO);
      if (exp10 > 100000) return -1;
      i++;
    }
    if (i === expStart) return -1;
    if (expNeg) exp10 = -exp10;
  }
  if (i !== end) return -1;
  // Significant digits: from the first non-zero mantissa digit to the last.
  let f = 0;
  while (f < n && digitAt(src, intStart, intEnd, fracStart, f) === ZERO) f++;
  let p = pos;
  if (f === n) {
    // Zero, signed as written: formatValue writes 0 and -0.
    if (neg) out[p++] = MINUS;
    out[p++] = ZERO;
    return p;
  }
  let l = n - 1;
  while (digitAt(src, intStart, intEnd, fracStart, l) === ZERO) l--;
  const digits = l - f + 1;
  if (digits > MAX_DIGITS) return -1;
  /** The decimal exponent of the first significant digit: the value is d.ddd × 10^exp. */
  const exp = intLen - 1 - f + exp10;
  if (exp > MAX_EXP || exp < -MAX_EXP) return -1;
  if (neg) out[p++] = MINUS;
  if (exp < -4 || exp >= 6) {
    out[p++] = digitAt(src, intStart, intEnd, fracStart, f);
    if (digits > 1) {
      out[p++] = DOT;
      for (let k = f + 1; k <= l; k++) out[p++] = digitAt(src, intStart, intEnd, fracStart, k);
    }
    out[p++] = E;
    out[p++] = exp < 0 ? MINUS : PLUS;
    const abs = exp < 0 ? -exp : exp;
    if (abs >= 100) out[p++] = ZERO + Math.floor(abs / 100);
    out[p++] = ZERO + (Math.floor(abs / 10) % 10);
    out[p++] = ZERO + (abs % 10);
    return p;
  }
  if (exp < 0) {
    out[p++] = ZERO;
    out[p++] = DOT;
    for (let z = -1; z > exp; z--) out[p++] = ZERO;
    for (let k = f; k <= l; k++) out[p++] = digitAt(src, intStart, intEnd, fracStart, k);
    return p;
  }
  // 0 <= exp < 6: exp + 1 integer digits (zero-padded), then the rest after a dot.
  for (let k = 0; k <= exp; k++) out[p++] = f + k <= l ? digitAt(src, intStart, intEnd, fracStart, f + k) : ZERO;
  if (f + exp < l) {
    out[p++] = DOT;
    for (let k = f + exp + 1; k <= l; k++) out[p++] = digitAt(src, intStart, intEnd, fracStart, k);
  }
  return p;
}

/**
 * A text-format timestamp (integer milliseconds) as `textTimestamp` writes it: the exposed digits
 * when they carry no sign trouble or leading zero and fit a double exactly; else -1.
 */
export function writeTimestampBytes(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  let i = start;
  if (src[i] === MINUS) i++;
  const len = end - i;
  if (len === 0 || len > MAX_DIGITS || (src[i] === ZERO && (len > 1 || i > start))) return -1;
  for (let k = i; k < end; k++) if (!isDigit(src[k])) return -1;
  return copy(src, start, end, out, pos);
}
