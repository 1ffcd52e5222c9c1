import { INVALID, readFloat } from './number.js';
import { type Labels, METRIC_TYPES, type MetricFamily, type MetricType } from './types.js';

/** What a sample name is within its family: the suffix after the family name, by meaning. */
export const Role = {
  /** No suffix: a gauge, unknown, stateset or a summary's quantile. */
  Plain: 0,
  Total: 1,
  Created: 2,
  Bucket: 3,
  Count: 4,
  Sum: 5,
  GCount: 6,
  GSum: 7,
  Info: 8,
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const OM_TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);

/** The sample names a family of each type may have, as suffixes of the family name. */
export const SUFFIXES: Partial<Record<MetricType, string[]>> = {
  counter: ['_total', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  histogram: ['_count', '_sum', '_bucket', '_created'],
  gaugehistogram: ['_gcount', '_gsum', '_bucket'],
  info: ['_info'],
};

/**
 * The role of a sample name already known to belong to a family of `type` (one of `SUFFIXES`):
 * within a type the suffixes differ in length, but for `_bucket`/`_gcount`, so no string is cut.
 */
export function roleOf(type: MetricType, name: string, familyLength: number): Role {
  switch (name.length - familyLength) {
    case 0:
      return Role.Plain;
    case 4:
      return Role.Sum;
    case 5:
      return type === 'info' ? Role.Info : Role.GSum;
    case 6:
      return type === 'counter' ? Role.Total : Role.Count;
    case 7:
      return name.charCodeAt(familyLength + 1) === 0x62 /* b */ ? Role.Bucket : Role.GCount;
    default:
      return Role.Created;
  }
}

const SUFFIX_OF_ROLE = ['', '_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

/** Buckets and counts are whole numbers: null when `value` may be one of this role, else the reason. */
export function integerProblem(role: Role, value: number): string | null {
  if (Number.isInteger(value) || !(role === Role.Bucket || role === Role.Count || role === Role.GCount)) return null;
  return role === Role.Bucket ? 'bucket values must be integers' : `${SUFFIX_OF_ROLE[role]} values must be integers`;
}

/**
 * The other value rules of OpenMetrics for one sample (checked after its labels and group): null
 * when `value` is allowed for a sample of this role in a family of `type`, else the reason.
 */
export function valueProblem(type: MetricType, role: Role, value: number): string | null {
  if (type === 'stateset' && value !== 0 && value !== 1) return 'stateset values must be 0 or 1';
  if (type === 'info' && value !== 1) return 'info values must be 1';
  if (role === Role.Plain) return type === 'summary' && value < 0 ? 'quantile values cannot be negative' : null;
  if (role === Role.Created || role === Role.Info) return null;
  const suffix = SUFFIX_OF_ROLE[role] as string;
  if (value !== value) return `${suffix} values cannot be NaN`;
  if (value < 0 && role !== Role.GSum) return `${suffix} values cannot be negative`;
  return null;
}

/** Only histogram buckets and counters' `_total` samples carry exemplars. */
export function exemplarAllowed(type: MetricType, role: Role): boolean {
  return role === Role.Bucket ? type === 'histogram' || type === 'gaugehistogram' : type === 'counter' && role === Role.Total;
}

/** The label that varies within one metric point of a family: `le`, `quantile`, the stateset's. */
export function pointLabel(type: MetricType, role: Role, familyName: string): string | null {
  if (role === Role.Bucket) return 'le';
  if (role !== Role.Plain) return null;
  return type === 'summary' ? 'quantile' : type === 'stateset' ? familyName : null;
}

export function labelValue(labels: Labels, name: string): string | undefined {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return undefined;
}

/**
 * Whether `a` without its label `skipA` and `b` without `skipB` hold the same pairs, in any order.
 * Names are unique within a label set, so when they come in the same order the values decide;
 * otherwise each pair is looked up.
 */
export function samePairs(a: Labels, skipA: string | null, b: Labels, skipB: string | null): boolean {
  let n = 0;
  let j = 0;
  let aligned = true;
  let valuesEqual = true;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] === skipA) continue;
    while (j < b.length && b[j] === skipB) j += 2;
    if (a[i] !== b[j]) aligned = false;
    else if (a[i + 1] !== b[j + 1]) valuesEqual = false;
    j += 2;
    n++;
  }
  if (aligned) {
    while (j < b.length && b[j] === skipB) j += 2;
    return j >= b.length && valuesEqual;
  }
  for (let k = 0; k < b.length; k += 2) if (b[k] !== skipB) n--;
  if (n !== 0) return false;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] === skipA) continue;
    let found = false;
    for (let k = 0; k < b.length; k += 2) {
      if (b[k] === a[i]) {
        found = b[k + 1] === a[i + 1] && b[k] !== skipB;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Sorted label pairs without `skip`, as one string: the "group" of a sample (one metric point). */
export function groupKey(labels: Labels, skip: string | null): string {
  const pairs: string[] = [];
  for (let i = 0; i < labels.length; i += 2) if (labels[i] !== skip) pairs.push(`${labels[i]}\u0001${labels[i + 1]}`);
  return pairs.sort().join('\u0002');
}

export function parseLabelFloat(s: string): number {
  const b = Buffer.from(s);
  const v = readFloat(b, 0, b.length, true);
  return v === INVALID ? Number.NaN : v;
}

const labelFloats = new Map<string, number>();

/** `parseLabelFloat`, remembered (bounded): bucket bounds and quantiles repeat on every series. */
export function labelFloat(s: string): number {
  let v = labelFloats.get(s);
  if (v === undefined) {
    if (labelFloats.size >= 4096) labelFloats.clear();
    v = parseLabelFloat(s);
    labelFloats.set(s, v);
  }
  return v;
}

/** OpenMetrics requires the canonical spelling `+Inf` for an infinite `le`/`quantile`. */
export function uncanonical(s: string): boolean {
  const v = labelFloat(s);
  if (v !== v && s !== 'NaN' && s.toLowerCase() !== 'nan') return true; // not a number at all
  return v === Number.POSITIVE_INFINITY && s !== '+Inf';
}

/** Per type, the sample names a family reserves: its own and its suffixed ones (`reservedNames`). */
const RESERVED = Object.fromEntries(METRIC_TYPES.map((t) => [t, [...new Set([...(SUFFIXES[t] ?? []), ''])]])) as Record<
  MetricType,
  string[]
>;

const reservedByFamily = new Map<string, { type: MetricType; names: readonly string[] }>();

/**
 * The sample names a family of this name and type reserves, remembered (bounded): a steady
 * scrape meets the same families every time, and building the names anew made ~200 strings per
 * 1,000 series, kept in the parse's name set until it ended. They outlived young-generation
 * collections and were a tenth of an OpenMetrics steady scrape's instructions, most of that in
 * the garbage collector (callgrind, session 9).
 */
export function reservedNames(name: string, type: MetricType): readonly string[] {
  const known = reservedByFamily.get(name);
  if (known !== undefined && known.type === type) return known.names;
  if (reservedByFamily.size >= 4096) reservedByFamily.clear();
  const names = RESERVED[type].map((suffix) => (suffix === '' ? name : name + suffix));
  reservedByFamily.set(name, { type, names });
  return names;
}

/** Whether `name` is a sample name of the family (its name plus one of its type's suffixes). */
export function nameOfFamily(name: string, fam: MetricFamily): boolean {
  const fname = fam.name;
  if (!name.startsWith(fname)) return false;
  const suffixes = SUFFIXES[fam.type];
  if (suffixes === undefined) return name.length === fname.length;
  for (const s of suffixes) if (name.length === fname.length + s.length && name.endsWith(s)) return true;
  return false;
}
