import type { Labels, MetricFamily, MetricType, Sample } from '../exposition/index.js';

/** Labels the fetcher owns: removed from every scraped series, then set from the route tags. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'organization_id',
  'space_id',
  'app_id',
  'organization_name',
  'space_name',
  'app_name',
  'index',
  'instance_id',
  'instance',
]);

export const SCRAPE_ERROR_FAMILY = 'promfetcher_scrape_error';
export const SCRAPE_ERROR_HELP = 'Promfetcher scrap error on your instance';
export const TYPE_CONFLICT_FAMILY = 'promfetcher_type_conflict';

/** One scraped source (an app instance or an external exporter) as the merge sees it. */
export interface MergeSource {
  /** Flat label pairs appended to every series of this source; must make its series unique. */
  readonly targetLabels: Labels;
  /** Parsed families, or null when the source failed. */
  readonly families: readonly MetricFamily[] | null;
  /** The short reason (fixed set) when `families` is null. */
  readonly error?: string;
}

export interface MergeStats {
  /** Series dropped because the same source exposed them twice (after reserved labels were removed). */
  duplicates: number;
  /** Families of a source dropped because an earlier source declared the name with another type. */
  typeConflicts: { readonly family: string; readonly type: MetricType; readonly expected: MetricType; readonly targetLabels: Labels }[];
}

/** The merge key: OpenMetrics and text 0.0.4 spell a counter differently (`x` vs `x_total`). */
function familyKey(f: MetricFamily): string {
  return f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -6) : f.name;
}

function normType(t: MetricType): MetricType {
  return t === 'unknown' ? 'untyped' : t;
}

function relabel(labels: Labels, target: Labels): Labels {
  let keep = true;
  for (let i = 0; i < labels.length; i += 2) {
    if (RESERVED_LABELS.has(labels[i] as string)) {
      keep = false;
      break;
    }
  }
  if (keep) return labels.length === 0 ? target.slice() : labels.concat(target);
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const n = labels[i] as string;
    if (!RESERVED_LABELS.has(n)) out.push(n, labels[i + 1] as string);
  }
  for (const l of target) out.push(l);
  return out;
}

/**
 * Merges sources into one list of families: families by name (the first source's HELP, TYPE and
 * UNIT win; order of first appearance), each series labelled with its source's target labels.
 * A family whose type disagrees with the first declaration is dropped for that source and
 * reported as `promfetcher_type_conflict{<target labels>, metric, type, expected} 1`. A failed
 * source adds `promfetcher_scrape_error{<target labels>, error} 1`. Pure; inputs are not modified.
 */
export function mergeSources(sources: readonly MergeSource[], stats?: MergeStats): MetricFamily[] {
  const byKey = new Map<string, MetricFamily>();
  const errors: Sample[] = [];
  const conflicts: Sample[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    if (src.families === null) {
      errors.push({
        name: SCRAPE_ERROR_FAMILY,
        labels: [...src.targetLabels, 'error', src.error ?? 'unknown'],
        value: 1,
        timestampMs: null,
      });
      continue;
    }
    for (const f of src.families) {
      if (f.samples.length === 0) continue;
      const key = familyKey(f);
      const type = normType(f.type);
      let out = byKey.get(key);
      if (out === undefined) {
        out = { name: key === f.name ? f.name : key, type, help: f.help, unit: f.unit, samples: [] };
        byKey.set(key, out);
      } else if (out.type !== type) {
        conflicts.push({
          name: TYPE_CONFLICT_FAMILY,
          labels: [...src.targetLabels, 'metric', key, 'type', type, 'expected', out.type],
          value: 1,
          timestampMs: null,
        });
        stats?.typeConflicts.push({ family: key, type, expected: out.type, targetLabels: src.targetLabels });
        continue;
      } else {
        if (out.help === null) out.help = f.help;
        if (out.unit === null) out.unit = f.unit;
      }
      seen.clear();
      const dst = out.samples;
      for (const s of f.samples) {
        const labels = relabel(s.labels, src.targetLabels);
        // Target labels are the same for the whole source, so the source's own part identifies the series.
        const id = `${s.name}\xff${labels.join('\xff')}`;
        if (seen.has(id)) {
          if (stats) stats.duplicates++;
          continue;
        }
        seen.add(id);
        const ns: Sample = { name: s.name, labels, value: s.value, timestampMs: s.timestampMs };
        if (s.exemplar !== undefined) ns.exemplar = s.exemplar;
        dst.push(ns);
      }
    }
  }
  const families = [...byKey.values()];
  if (conflicts.length > 0) {
    families.push({
      name: TYPE_CONFLICT_FAMILY,
      type: 'gauge',
      help: 'A family of this source was dropped: an earlier instance declared it with another type.',
      unit: null,
      samples: conflicts,
    });
  }
  if (errors.length > 0) {
    const existing = byKey.get(SCRAPE_ERROR_FAMILY);
    if (existing !== undefined) existing.samples.push(...errors);
    else families.push({ name: SCRAPE_ERROR_FAMILY, type: 'counter', help: SCRAPE_ERROR_HELP, unit: null, samples: errors });
  }
  return families;
}

/**
 * The target labels of an app instance: org/space/app ids and names from its route tags, then
 * `index` and `instance_id` (both the instance index, as the original) and `instance` (address).
 */
export function instanceTargetLabels(tags: Readonly<Record<string, string | undefined>>, index: string, address: string): Labels {
  const l = appTargetLabels(tags);
  if (index !== '') l.push('index', index, 'instance_id', index);
  l.push('instance', address);
  return l;
}

/** The app-level labels every series of the app gets (external exporters get only these + instance). */
export function appTargetLabels(tags: Readonly<Record<string, string | undefined>>): Labels {
  return [
    'organization_id',
    tags.organization_id ?? '',
    'space_id',
    tags.space_id ?? '',
    'app_id',
    tags.app_id ?? '',
    'organization_name',
    tags.organization_name ?? '',
    'space_name',
    tags.space_name ?? '',
    'app_name',
    tags.app_name ?? '',
  ];
}
