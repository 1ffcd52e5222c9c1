import { B, latin1 } from './bytes.js';

/** 10^0 … 10^22: the powers of ten that are exact doubles (Clinger's fast path). */
export const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** A module-level copy: V8 folds it into the inlined fast path, unlike a property of `B`. */
const ZERO = B.ZERO;

/** Returned by the number readers for input they reject (a real NaN is returned as NaN). */
export const INVALID = Symbol('invalid number');

function lower(c: number): number {
  return c | 0x20;
}

function matchesWord(buf: Buffer, pos: number, end: number, word: string): boolean {
  if (end - pos !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(buf[pos + i] as number) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads a sample value as Go's `strconv.ParseFloat(s, 64)` does, minus what expfmt forbids
 * (hex floats, `_`): decimal with optional sign, fraction and exponent; `Inf`/`Infinity` with an
 * optional sign and `NaN`, case-insensitive; out-of-range finite literals (`1e400`) rejected.
 * `signedNaN` also accepts `+nan`/`-nan` (Python's `float()`, the OpenMetrics reference).
 * JavaScript's Number() is not used on raw input: it takes hex, '', whitespace and `Infinity` only.
 */
export function readFloat(buf: Buffer, start: number, end: number, signedNaN = false): number | typeof INVALID {
  // Fast path, small enough for V8 to inline into the callers: a short unsigned integer, the most
  // common value.
  if (end - start <= 15 && start < end) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const d = (buf[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === end) return v;
  }
  return readGeneralFloat(buf, start, end, signedNaN);
}

/** Where the last `readPlainDecimal` stopped: the first byte after the digits and dot it read. */
export const plainScan = { end: 0 };

/**
 * The common sample values, `123` and `12.5`, read in the same pass that finds where they end:
 * digits with at most one dot, at most 15 digits, exact as readFloat is (Clinger's division).
 * Returns -1 for anything else that starts at `q` (a sign, exponent, Inf/NaN, more digits, no
 * digit): the caller reads that with readFloat. `plainScan.end` is where the scan stopped.
 */
export function readPlainDecimal(buf: Buffer, q: number, end: number): number {
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; q < end; q++) {
    const c = buf[q] as number;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    } else if (c === B.DOT && frac < 0) frac = 0;
    else break;
  }
  plainScan.end = q;
  if (digits === 0 || digits > 15) return -1;
  return frac > 0 ? mant / (EXACT_POW10[frac] as number) : mant;
}

/** readFloat past its integer fast path: sign, Inf/NaN words, fraction, exponent. */
function readGeneralFloat(buf: Buffer, start: number, end: number, signedNaN: boolean): number | typeof INVALID {
  if (start >= end) return INVALID;
  let p = start;
  let c = buf[p] as number;
  let neg = false;
  if (c === B.PLUS || c === B.MINUS) {
    neg = c === B.MINUS;
    p++;
    if (p === end) return INVALID;
    c = buf[p] as number;
  }
  const lc = lower(c);
  if (lc === 0x69 /* i */) {
    if (matchesWord(buf, p, end, 'inf') || matchesWord(buf, p, end, 'infinity')) {
      return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return INVALID;
  }
  if (lc === 0x6e /* n */) {
    if ((p === start || signedNaN) && matchesWord(buf, p, end, 'nan')) return Number.NaN;
    return INVALID;
  }
  // digits [. digits] [e [sign] digits], at least one mantissa digit
  let digits = 0;
  let mant = 0;
  let fracDigits = 0;
  while (p < end && (buf[p] as number) >= B.ZERO && (buf[p] as number) <= B.NINE) {
    mant = mant * 10 + ((buf[p] as number) - B.ZERO);
    p++;
    digits++;
  }
  if (p < end && buf[p] === B.DOT) {
    p++;
    while (p < end && (buf[p] as number) >= B.ZERO && (buf[p] as number) <= B.NINE) {
      mant = mant * 10 + ((buf[p] as number) - B.ZERO);
      p++;
      digits++;
      fracDigits++;
    }
  }
  if (digits === 0) return INVALID;
  let exp = 0;
  if (p < end && lower(buf[p] as number) === 0x65 /* e */) {
    p++;
    let expNeg = false;
    if (p < end && (buf[p] === B.PLUS || buf[p] === B.MINUS)) {
      expNeg = buf[p] === B.MINUS;
      p++;
    }
    let expDigits = 0;
    while (p < end && (buf[p] as number) >= B.ZERO && (buf[p] as number) <= B.NINE) {
      if (exp < 100000) exp = exp * 10 + ((buf[p] as number) - B.ZERO);
      p++;
      expDigits++;
    }
    if (expDigits === 0) return INVALID;
    if (expNeg) exp = -exp;
  }
  if (p !== end) return INVALID;
  // Exact fast path (Clinger): an integer mantissa below 2^53 times or divided by a power of ten
  // up to 1e22 (both exact doubles) is one correctly rounded IEEE operation.
  const e10 = exp - fracDigits;
  if (digits <= 15 && e10 >= -22 && e10 <= 22) {
    const m = neg ? -mant : mant;
    return e10 >= 0 ? m * (EXACT_POW10[e10] as number) : m / (EXACT_POW10[-e10] as number);
  }
  // The grammar above is a subset of what Number() reads, and Number() rounds correctly.
  const v = Number(latin1(buf, start, end));
  if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) return INVALID; // Go: ErrRange
  return v;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Reads a base-10 int64 as Go's `strconv.ParseInt(s, 10, 64)`: optional sign, digits only.
 * Returns a number when exactly representable, else a bigint; INVALID when malformed or out of range.
 */
export function readInt64(buf: Buffer, start: number, end: number): number | bigint | typeof INVALID {
  let p = start;
  let neg = false;
  if (p < end && (buf[p] === B.PLUS || buf[p] === B.MINUS)) {
    neg = buf[p] === B.MINUS;
    p++;
  }
  if (p >= end) return INVALID;
  let v = 0;
  const digitsStart = p;
  for (; p < end; p++) {
    const d = (buf[p] as number) - B.ZERO;
    if (d < 0 || d > 9) return INVALID;
    v = v * 10 + d;
  }
  if (end - digitsStart <= 15) return neg ? -v : v;
  const big = BigInt(latin1(buf, digitsStart, end)) * (neg ? -1n : 1n);
  if (big > INT64_MAX || big < INT64_MIN) return INVALID;
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
}
