import { labelToken, TOKEN_SEED, tokenStep } from './key-hash.js';
import { groupKey, labelValue, samePairs } from './openmetrics-rules.js';
import type { Labels } from './types.js';

/** Where a parser already has each label's `labelToken` (FastLine: from the token hashes it interned with). */
export interface PairTokens {
  pairToken(i: number): number;
}

export const NOT_TOGETHER = 'samples of one metric must be grouped together (this label set appeared earlier)';
export const MIXED_TIMESTAMPS = 'some samples of this metric have timestamps and others not';
export const BACKWARDS = 'timestamps went backwards within a metric';
/** Samples of a point compared one by one before they go into a set. */
const SMALL_POINT = 16;

/**
 * The metric points of one OpenMetrics family as its samples are read in full. A point is a label
 * set without its point label (`le`, `quantile`, the stateset's own label): its samples come
 * together, all with a timestamp or none, not going backwards; the same sample twice at one
 * timestamp is a duplicate. Points are told apart by an order-independent hash of their label
 * pairs, confirmed by comparing the pairs, so no sorted key string is built per sample.
 * Keeps the label arrays it is given: the parser makes a new one per sample.
 */
export class MetricPoints {
  /** The current point's labels (without the point label), or null before the first sample. */
  private labels: Labels | null = null;
  /** The previous sample's timestamp. */
  private ts: number | null = null;
  /**
   * The current point's samples by name and point label value while few (a histogram's are its
   * buckets, `_count`, `_sum`, `_created`), then as ids in `ids`; an info family's always in `ids`.
   */
  private readonly names: string[] = [];
  private readonly values: Array<string | null> = [];
  private count = 0;
  private firstLabels: Labels = [];
  private ids: Set<string> | null = null;
  private readonly seen = new Map<number, Labels>();
  /** Points whose hash an earlier point had (rare): compared one by one. */
  private collided: Labels[] | null = null;
  /** Whether the last `add` was a duplicate sample (to be kept once). */
  dup = false;

  /**
   * One sample. `point` is the name of the label that varies within a point, if any; `whole`: the
   * family is a single point (info). Returns the rule it breaks, or null.
   */
  add(
    name: string,
    labels: Labels,
    point: string | null,
    whole: boolean,
    ts: number | null,
    tokens: PairTokens | null = null,
  ): string | null {
    this.dup = false;
    const pointValue = point === null ? null : (labelValue(labels, point) ?? null);
    let same: boolean;
    let h = 0;
    if (whole) same = this.labels !== null;
    else {
      // A point's samples come one after another: compared first, hashed only when new.
      const cur = this.labels;
      same = cur !== null && samePairs(labels, point, cur, null);
      if (!same) h = pairsHash(labels, point, tokens);
    }
    if (!same) {
      if (!whole && this.labels !== null && this.seenBefore(h, labels, point)) return NOT_TOGETHER;
      const own = withoutLabel(labels, point);
      if (!whole) this.remember(h, own);
      this.labels = own;
      this.ts = ts;
      this.names[0] = name;
      this.values[0] = pointValue;
      this.count = 1;
      this.firstLabels = labels;
      this.ids = null;
      return null;
    }
    if ((ts === null) !== (this.ts === null)) return MIXED_TIMESTAMPS;
    if (this.ts !== null && ts !== null && this.ts > ts && !whole) return BACKWARDS;
    const again = this.has(name, labels, pointValue, whole);
    this.dup = again && ts === this.ts;
    this.ts = ts;
    return null;
  }

  /** Whether the current point already has this sample; adds it if not. */
  private has(name: string, labels: Labels, pointValue: string | null, whole: boolean): boolean {
    const n = this.count;
    if (this.ids === null && !whole && n < SMALL_POINT) {
      for (let i = 0; i < n; i++) if (this.names[i] === name && this.values[i] === pointValue) return true;
      this.names[n] = name;
      this.values[n] = pointValue;
      this.count = n + 1;
      return false;
    }
    let ids = this.ids;
    if (ids === null) {
      ids = new Set();
      if (whole) ids.add(sampleId(this.names[0] as string, this.firstLabels, null, true));
      else for (let i = 0; i < n; i++) ids.add(sampleId(this.names[i] as string, labels, this.values[i] as string | null, false));
      this.ids = ids;
    }
    const id = sampleId(name, labels, pointValue, whole);
    if (ids.has(id)) return true;
    ids.add(id);
    return false;
  }

  private seenBefore(h: number, labels: Labels, point: string | null): boolean {
    const g = this.seen.get(h);
    if (g === undefined) return false;
    if (samePairs(labels, point, g, null)) return true;
    if (this.collided !== null) for (const c of this.collided) if (samePairs(labels, point, c, null)) return true;
    return false;
  }

  private remember(h: number, own: Labels): void {
    if (!this.seen.has(h)) this.seen.set(h, own);
    else if (this.collided === null) this.collided = [own];
    else this.collided.push(own);
  }
}

/** Within a point the samples differ by name and point label only; an info family is one point. */
function sampleId(name: string, labels: Labels, pointValue: string | null, whole: boolean): string {
  return whole ? `${name}\u0000${groupKey(labels, null)}` : `${name}\u0000${pointValue ?? '\u0001'}`;
}

function withoutLabel(labels: Labels, name: string | null): Labels {
  if (name === null) return labels;
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return [...labels.slice(0, i), ...labels.slice(i + 2)];
  return labels;
}

/**
 * Order-independent: a sum of the pairs' mixed `labelToken`s. `tokens` has them when the parser
 * hashed the label bytes on the way; an ASCII string's `stringHash` equals the token hash of its
 * bytes, so both ways give one hash per label set (a fast-path line and an exact-parser line of
 * one point must meet in `seen`).
 */
function pairsHash(labels: Labels, skip: string | null, tokens: PairTokens | null): number {
  let h = 0;
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === skip) continue;
    const t = tokens !== null ? tokens.pairToken(i >> 1) : labelToken(stringHash(labels[i] as string), stringHash(labels[i + 1] as string));
    h = (h + mix(t)) | 0;
  }
  return h;
}

/** The token hash (key-hash.ts) over a string's UTF-16 code units: its bytes' for ASCII. */
function stringHash(s: string): number {
  let h = TOKEN_SEED;
  for (let i = 0; i < s.length; i++) h = tokenStep(h, s.charCodeAt(i));
  return h;
}

/** MurmurHash3's finalizer. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
