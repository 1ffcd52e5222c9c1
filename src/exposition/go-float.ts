/**
 * Go's `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest decimal that reads back as `v`, in
 * exponent form when the decimal exponent is < -4 or >= 6 (Go's rule for shortest 'g').
 * Prometheus writes sample values, `le` and `quantile` this way, and Loggregator tags depend on it:
 * `1e-05`, `1e+06`, `0.001`, `123456`, `+Inf`.
 */
export function formatGoFloat(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() with no argument gives the shortest round-trip digits, as Go's shortest mode.
  const e = v.toExponential();
  const ePos = e.indexOf('e');
  const exp = Number.parseInt(e.slice(ePos + 1), 10);
  if (exp < -4 || exp >= 6) {
    const abs = exp < 0 ? -exp : exp;
    return `${e.slice(0, ePos)}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  // -4 <= exp < 6: JS prints these in plain decimal with the same shortest digits as Go.
  return String(v);
}
