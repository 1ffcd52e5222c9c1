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
  if (pairs === lastOrder.length && sameNames(labels)) {
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

function sameNames(labels: Labels): boolean {
  for (let i = 0; i < lastNames.length; i++) {
    if (labels[2 * i] !== lastNames[i] || labels[2 * i + 1] === '') return false;
  }
  return true;
}

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
