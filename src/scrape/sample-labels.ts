import type { Labels } from '../exposition/index.js';

/**
 * Sorted copy of a flat label array by name, empty values removed (Prometheus label sets).
 * Series of one family come one after another with the same label names, so the order found
 * for the last set of names is kept and applied again without comparing strings. Otherwise an
 * insertion sort on pairs: label sets are small, and this beats Array#sort with a comparator
 * and its index array several times over. JavaScript string order equals byte order for every
 * name below U+E000 (all classic names); beyond, Prometheus's UTF-8 order may differ.
 */
export function sortLabels(labels: Labels): Labels {
  const pairs = labels.length >> 1;
  if (sameNames(labels, lastNames)) {
    const out = new Array<string>(labels.length);
    for (let k = 0; k < pairs; k++) {
      const from = (lastOrder[k] as number) << 1;
      out[2 * k] = labels[from] as string;
      out[2 * k + 1] = labels[from + 1] as string;
    }
    return out;
  }
  const out: Labels = [];
  const order: number[] = [];
  let empty = false;
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i] as string;
    const value = labels[i + 1] as string;
    if (value === '') {
      empty = true;
      continue;
    }
    let j = out.length;
    out.push(name, value);
    order.push(i >> 1);
    while (j > 0 && (out[j - 2] as string) > name) {
      out[j] = out[j - 2] as string;
      out[j + 1] = out[j - 1] as string;
      order[j >> 1] = order[(j >> 1) - 1] as number;
      j -= 2;
    }
    out[j] = name;
    out[j + 1] = value;
    order[j >> 1] = i >> 1;
  }
  if (!empty) {
    lastOrder = order;
    lastNames = labels.filter((_, i) => (i & 1) === 0);
  }
  return out;
}

/** The label names of the last sorted set without empty values, and their sorted order. */
let lastNames: string[] = [];
let lastOrder: number[] = [];

function has(labels: Labels, name: string): boolean {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return true;
  return false;
}

/**
 * Adds the target's labels to a sample's, as Prometheus's `mutateSampleLabels`: with
 * `honor_labels` the sample's own value wins; otherwise the target's does and the sample's
 * conflicting label is kept as `exported_<name>` (more `exported_` prefixes while taken).
 * Works in place on `sample`, which the caller owns (a new series' labels, straight from the
 * parser), and returns it unsorted.
 */
export function mergeTargetLabels(sample: Labels, target: Labels, honorLabels: boolean): Labels {
  const out = sample;
  for (let t = 0; t < target.length; t += 2) {
    const name = target[t] as string;
    const value = target[t + 1] as string;
    let at = -1;
    for (let i = 0; i < out.length; i += 2) if (out[i] === name) at = i;
    if (at === -1) {
      out.push(name, value);
      continue;
    }
    if (honorLabels) continue;
    let exported = `exported_${name}`;
    while (has(out, exported) || has(target, exported)) exported = `exported_${exported}`;
    out[at] = exported;
    out.push(name, value);
  }
  return out;
}

/**
 * A new series' labels with its target's, sorted by name, empty values dropped, as one new
 * exact-size array: `sortLabels(mergeTargetLabels(…))` without the two intermediate arrays (a
 * first scrape builds one per series). The common case, no label shared with the target and no
 * empty value, takes the permutation found for the last such set of names, so series of one
 * family cost one array and no string comparison; anything else goes the general way. `sample`
 * is only read (the parser lends it).
 */
export function withTargetLabels(sample: Labels, target: Labels, honorLabels: boolean): Labels {
  const sp = sample.length >> 1;
  const total = sp + (target.length >> 1);
  // Histogram and summary lines alternate between two sets of names (with and without `le` or
  // `quantile`): one remembered order per label count.
  let learned = mergedOrders[sp & (MERGED_SLOTS - 1)];
  if (learned === undefined || learned.target !== target || !sameNames(sample, learned.names)) {
    learned = learnMergedOrder(sample, target);
    if (learned === undefined) return sortLabels(mergeTargetLabels(sample.slice(), target, honorLabels));
    mergedOrders[sp & (MERGED_SLOTS - 1)] = learned;
  }
  const order = learned.order;
  const out = new Array<string>(2 * total);
  for (let k = 0; k < total; k++) {
    const from = order[k] as number;
    const src = from < sp ? sample : target;
    const at = from < sp ? 2 * from : 2 * (from - sp);
    out[2 * k] = src[at] as string;
    out[2 * k + 1] = src[at + 1] as string;
  }
  return out;
}

/** The sorted order of a set of sample label names merged with a target's, free of conflicts. */
interface MergedOrder {
  names: string[];
  target: Labels;
  order: number[];
}

const MERGED_SLOTS = 8;
const mergedOrders: Array<MergedOrder | undefined> = new Array(MERGED_SLOTS).fill(undefined);

/** Whether `sample` has exactly these label names, in this order, and no empty value. */
function sameNames(sample: Labels, names: string[]): boolean {
  if (sample.length !== 2 * names.length) return false;
  for (let i = 0; i < names.length; i++) {
    if (sample[2 * i] !== names[i] || sample[2 * i + 1] === '') return false;
  }
  return true;
}

/** The sorted order of `sample` + `target` names; undefined when they conflict or a value is empty. */
function learnMergedOrder(sample: Labels, target: Labels): MergedOrder | undefined {
  const names: string[] = [];
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i + 1] === '' || has(target, sample[i] as string)) return undefined;
    names.push(sample[i] as string);
  }
  for (let i = 1; i < target.length; i += 2) if (target[i] === '') return undefined;
  const all = names.concat(target.filter((_, i) => (i & 1) === 0));
  const order: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const name = all[i] as string;
    let j = order.length;
    order.push(i);
    while (j > 0 && (all[order[j - 1] as number] as string) > name) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = i;
  }
  return { names, target, order };
}
