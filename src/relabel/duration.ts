/** Prometheus's `model.ParseDuration` / `Duration.String`, in milliseconds. */

const UNITS: Record<string, { ms: number; pos: number }> = {
  y: { ms: 365 * 24 * 3600_000, pos: 1 },
  w: { ms: 7 * 24 * 3600_000, pos: 2 },
  d: { ms: 24 * 3600_000, pos: 3 },
  h: { ms: 3600_000, pos: 4 },
  m: { ms: 60_000, pos: 5 },
  s: { ms: 1000, pos: 6 },
  ms: { ms: 1, pos: 7 },
};

/** Parses `1h30m`, `15s`, `0` … Throws with Prometheus's message when invalid. */
export function parsePromDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const invalid = () => new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let rest = s;
  let total = 0;
  let lastPos = 0;
  while (rest !== '') {
    const digits = /^[0-9]+/.exec(rest);
    if (digits === null) throw invalid();
    rest = rest.slice(digits[0].length);
    const unitMatch = /^[^0-9]+/.exec(rest);
    if (unitMatch === null) throw invalid();
    rest = rest.slice(unitMatch[0].length);
    const unit = UNITS[unitMatch[0]];
    if (unit === undefined) throw new Error(`unknown unit ${JSON.stringify(unitMatch[0])} in duration ${JSON.stringify(s)}`);
    if (unit.pos <= lastPos) throw invalid();
    lastPos = unit.pos;
    total += Number(digits[0]) * unit.ms;
    if (total > 9_223_372_036_854) throw new Error('duration out of range');
  }
  return total;
}

/** Formats milliseconds as Prometheus does (`1m30s`, `90d`, `2w`, `0s`). */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let sign = '';
  if (ms < 0) {
    sign = '-';
    ms = -ms;
  }
  let out = '';
  const put = (unit: string, mult: number, exact: boolean) => {
    if (exact && ms % mult !== 0) return;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  put('y', UNITS.y?.ms as number, true);
  put('w', UNITS.w?.ms as number, true);
  put('d', UNITS.d?.ms as number, false);
  put('h', 3600_000, false);
  put('m', 60_000, false);
  put('s', 1000, false);
  put('ms', 1, false);
  return sign + out;
}
