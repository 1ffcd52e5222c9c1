/** Go's `time.ParseDuration` units, in nanoseconds. */
const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * A duration as promfetcher's YAML reads it, in milliseconds: a Go duration string (`"20s"`,
 * `"1h30m"`, `"1.5s"`), or a bare integer meaning **nanoseconds** (Go's `time.Duration`).
 * Returns an error message instead of throwing.
 */
export function parseGoDurationMs(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return `must be a duration like "30s" (a bare number is nanoseconds), got ${v}`;
    return v / 1e6;
  }
  if (typeof v !== 'string') return `must be a duration like "30s", got ${JSON.stringify(v)}`;
  const s = v.trim();
  if (s === '0') return 0;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/y;
  let pos = 0;
  let total = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) return `must be a duration like "30s" or "1m30s" (units ns, us, ms, s, m, h), got ${JSON.stringify(v)}`;
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (s === '') return `must be a duration like "30s", got ""`;
  return total / 1e6;
}
