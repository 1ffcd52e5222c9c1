/**
 * Prometheus's `body_size_limit` (alecthomas/units `ParseBase2Bytes`): `B`, `KB`/`KiB` = 1024,
 * `MB`/`MiB`, `GB`/`GiB`, `TB`/`TiB`, `PB`/`PiB`, `EB`/`EiB`, combinable (`1MB512KB`), fractions
 * allowed (`1.5MB`), `0` alone means none. Returns bytes.
 */
const UNITS: Record<string, number> = { B: 1 };
for (const [i, p] of ['K', 'M', 'G', 'T', 'P', 'E'].entries()) {
  UNITS[`${p}B`] = 1024 ** (i + 1);
  UNITS[`${p}iB`] = 1024 ** (i + 1);
}

export function parseByteSize(orig: string): number {
  const invalid = () => new Error(`invalid size ${JSON.stringify(orig)}; use a number with a unit: B, KB, MB, GB (1024-based), e.g. 10MB`);
  let s = orig.trim();
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const num = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    if (num === null || num[0] === '' || ((num[1] ?? '') === '' && (num[2] ?? '') === '')) throw invalid();
    s = s.slice(num[0].length);
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined) throw invalid();
    total += Number(num[0]) * unit;
  }
  if (!Number.isSafeInteger(Math.trunc(total))) throw new Error(`size ${JSON.stringify(orig)} is too large`);
  return Math.trunc(total);
}
