/** Go's `time.ParseDuration`, the syntax of every duration in environment variables. */

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_MAX_PLUS_1 = 1n << 63n;

/**
 * Parses `15s`, `1m30s`, `1.5h`, `-2ms`, `0` … exactly as Go does, to nanoseconds.
 * @throws Error with Go's message (`time: invalid duration "x"`, `time: missing unit in duration "1"`,
 * `time: unknown unit "d" in duration "1d"`).
 */
export function parseGoDurationNs(orig: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const c = s.charCodeAt(0);
    if (!(c === 0x2e || (c >= 0x30 && c <= 0x39))) throw invalid();
    const intDigits = /^[0-9]*/.exec(s)?.[0] ?? '';
    s = s.slice(intDigits.length);
    let fracDigits = '';
    if (s[0] === '.') {
      s = s.slice(1);
      fracDigits = /^[0-9]*/.exec(s)?.[0] ?? '';
      s = s.slice(fracDigits.length);
    }
    if (intDigits === '' && fracDigits === '') throw invalid();
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    s = s.slice(unitText.length);
    if (unitText === '') throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = NS_PER_UNIT[unitText];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(orig)}`);
    const whole = intDigits === '' ? 0n : BigInt(intDigits);
    if (whole > INT64_MAX_PLUS_1) throw invalid();
    let v = whole * unit;
    if (v > INT64_MAX_PLUS_1) throw invalid();
    if (fracDigits !== '') {
      const { x, scale } = leadingFraction(fracDigits);
      v += BigInt(Math.trunc(Number(x) * (Number(unit) / scale)));
      if (v > INT64_MAX_PLUS_1) throw invalid();
    }
    total += v;
    if (total > INT64_MAX_PLUS_1) throw invalid();
  }
  if (total === INT64_MAX_PLUS_1 && !neg) throw invalid();
  return neg ? -total : total;
}

// Go's leadingFraction: digits are kept while the value fits an int64; later ones are dropped.
function leadingFraction(digits: string): { x: bigint; scale: number } {
  let x = 0n;
  let scale = 1;
  for (const ch of digits) {
    if (x > (INT64_MAX_PLUS_1 - 1n) / 10n) break;
    const y = x * 10n + BigInt(ch.charCodeAt(0) - 0x30);
    if (y > INT64_MAX_PLUS_1) break;
    x = y;
    scale *= 10;
  }
  return { x, scale };
}

/** {@link parseGoDurationNs} in milliseconds (fractional below 1 ms). */
export function parseGoDuration(s: string): number {
  return Number(parseGoDurationNs(s)) / 1e6;
}
