/**
 * Sample values copied from the scraped bytes instead of parsed and formatted again: when the
 * exposed text is already what `formatValue` would write for it (a Go client's output always is),
 * or differs only in notation that can be fixed on the bytes (an integer of 7 digits or more is
 * written `1.234567e+06`). Anything else returns -1 and the caller formats the parsed number.
 *
 * Why this is exact: a decimal of at most 15 significant digits without trailing fraction zeros
 * is the shortest decimal of the double it reads as (distinct decimals of ≤ 15 digits never read
 * as the same double), so `formatValue` writes the same digits, in plain notation for a decimal
 * exponent in [-4, 6) and in Go's exponent notation otherwise.
 */

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const E = 0x65;
const MAX_DIGITS = 15;
/** Exponents well inside the normal range: no overflow, no subnormal with fewer digits. */
const MAX_EXP = 300;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= ZERO + 9;
}

function sameBytes(src: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (src[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Copies src[start, end) to out at pos; returns the position after. */
function copy(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  for (let i = start; i < end; i++) out[pos++] = src[i] as number;
  return pos;
}

/**
 * Go's exponent notation `d.ddde±XX` for the digits src[a, b) followed by src[c, d) (the integer
 * and fraction digits of a plain decimal, the first non-zero; the fraction has no trailing zero).
 */
function writeExponent(
  src: Uint8Array,
  neg: boolean,
  a: number,
  b: number,
  c: number,
  d: number,
  exp: number,
  out: Uint8Array,
  pos: number,
): number {
  let p = pos;
  if (neg) out[p++] = MINUS;
  out[p++] = src[a] as number;
  let lastB = b;
  if (d === c) while (lastB > a + 1 && src[lastB - 1] === ZERO) lastB--;
  if (lastB > a + 1 || d > c) {
    out[p++] = DOT;
    p = copy(src, a + 1, lastB, out, p);
    p = copy(src, c, d, out, p);
  }
  out[p++] = E;
  out[p++] = exp < 0 ? MINUS : PLUS;
  const abs = exp < 0 ? -exp : exp;
  if (abs >= 100) out[p++] = ZERO + Math.floor(abs / 100);
  out[p++] = ZERO + (Math.floor(abs / 10) % 10);
  out[p++] = ZERO + (abs % 10);
  return p;
}

/**
 * Writes the value exposed as src[start, end) to out at pos as `formatValue` would write the
 * number it reads as; returns the position after it, or -1 when the bytes are not in a form this
 * can vouch for (the caller then formats the parsed value). `out` needs room for end - start + 8.
 */
export function writeValueBytes(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  let i = start;
  const neg = src[i] === MINUS;
  if (neg || src[i] === PLUS) {
    if (sameBytes(src, start, end, '+Inf') || sameBytes(src, start, end, '-Inf')) return copy(src, start, end, out, pos);
    if (!neg) return -1;
    i++;
  } else if (sameBytes(src, start, end, 'NaN')) return copy(src, start, end, out, pos);
  const intStart = i;
  while (i < end && isDigit(src[i])) i++;
  const intEnd = i;
  const intLen = intEnd - intStart;
  if (intLen === 0 || (intLen > 1 && src[intStart] === ZERO)) return -1;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && src[i] === DOT) {
    fracStart = ++i;
    while (i < end && isDigit(src[i])) i++;
    fracEnd = i;
    if (fracEnd === fracStart || src[fracEnd - 1] === ZERO) return -1;
  }
  const fracLen = fracEnd - fracStart;
  const intIsZero = src[intStart] === ZERO; // then intLen is 1
  if (i < end && src[i] === E) {
    // Go's exponent form: one non-zero digit, optional fraction, `e`, sign, at least two digits.
    if (intLen !== 1 || intIsZero || 1 + fracLen > MAX_DIGITS) return -1;
    i++;
    const sign = src[i];
    if (sign !== PLUS && sign !== MINUS) return -1;
    i++;
    const expStart = i;
    let exp = 0;
    while (i < end && isDigit(src[i])) exp = exp * 10 + ((src[i++] as number) - ZERO);
    const expLen = i - expStart;
    if (i !== end || expLen < 2 || (expLen > 2 && src[expStart] === ZERO) || exp > MAX_EXP) return -1;
    if (sign === MINUS) exp = -exp;
    if (exp >= -4 && exp < 6) return -1;
    return copy(src, start, end, out, pos);
  }
  if (i !== end) return -1;
  if (intIsZero) {
    if (fracLen === 0) return copy(src, start, end, out, pos); // 0 and -0
    let z = fracStart;
    while (src[z] === ZERO) z++;
    const exp = fracStart - z - 1;
    if (fracEnd - z > MAX_DIGITS) return -1;
    if (exp >= -4) return copy(src, start, end, out, pos);
    return writeExponent(src, neg, z, fracEnd, fracEnd, fracEnd, exp, out, pos);
  }
  if (intLen + fracLen > MAX_DIGITS) return -1;
  const exp = intLen - 1;
  if (exp < 6) return copy(src, start, end, out, pos);
  return writeExponent(src, neg, intStart, intEnd, fracStart, fracEnd, exp, out, pos);
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
