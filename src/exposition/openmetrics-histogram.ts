import { labelFloat, labelValue, samePairs } from './openmetrics-rules.js';
import type { Labels, MetricFamily } from './types.js';

/**
 * The structure rules of an OpenMetrics histogram or gauge histogram, over its collected samples
 * (a parse without a visitor): per point, buckets in increasing `le` order with non-decreasing
 * counts up to `+Inf`, `_count` equal to the `+Inf` bucket, `_sum`/`_count` together, and negative
 * buckets only without `_sum`. Returns the first rule broken, or null.
 */
export function histogramProblem(fam: MetricFamily): string | null {
  const name = fam.name;
  let group: Labels | null = null;
  let groupSkip: string | null = null;
  let ts: unknown;
  let count: number | null = null;
  let bucket: number | null = null;
  let value = 0;
  let negBuckets = false;
  let hasSum = false;
  let hasGsum = false;
  let negGsum = false;
  const pointProblem = (): string | null => {
    if (bucket !== Number.POSITIVE_INFINITY) return 'the +Inf bucket is missing';
    if (count !== null && value !== count) return '_count does not match the +Inf bucket';
    if (hasSum && count === null) return '_count must be present if _sum is present';
    if (hasGsum && count === null) return '_gcount must be present if _gsum is present';
    if (!(hasSum || hasGsum) && count !== null) return '_sum/_gsum must be present if _count is present';
    if (negBuckets && hasSum) return 'a histogram with negative buckets cannot have _sum';
    if (!negBuckets && negGsum) return 'negative _gsum needs negative buckets';
    return null;
  };
  for (const s of fam.samples) {
    const suffix = s.name.slice(name.length);
    const skip = suffix === '_bucket' ? 'le' : null;
    if (group === null || !samePairs(s.labels, skip, group, groupSkip) || s.timestampMs !== ts) {
      const p = group === null ? null : pointProblem();
      if (p !== null) return p;
      count = null;
      bucket = null;
      negBuckets = false;
      hasSum = false;
      hasGsum = false;
      negGsum = false;
      value = 0;
    }
    group = s.labels;
    groupSkip = skip;
    ts = s.timestampMs;
    if (suffix === '_bucket') {
      const b = labelFloat(labelValue(s.labels, 'le') as string);
      if (b < 0) negBuckets = true;
      if (bucket !== null && b <= bucket) return 'buckets out of order';
      if (s.value < value) return 'bucket values out of order';
      bucket = b;
      value = s.value;
    } else if (suffix === '_count' || suffix === '_gcount') count = s.value;
    else if (suffix === '_sum') hasSum = true;
    else if (suffix === '_gsum') {
      hasGsum = true;
      if (s.value < 0) negGsum = true;
    }
  }
  return group === null ? null : pointProblem();
}
