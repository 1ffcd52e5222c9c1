import type { Labels } from '../exposition/index.js';

/**
 * Sorted copy of a flat label array by name, empty values removed (Prometheus label sets).
 * Insertion sort on pairs: label sets are small, and this beats Array#sort with a comparator
 * and its index array several times over. JavaScript string order equals byte order for every
 * name below U+E000 (all classic names); beyond, Prometheus's UTF-8 order may differ.
 */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i] as string;
    const value = labels[i + 1] as string;
    if (value === '') continue;
    let j = out.length;
    out.push(name, value);
    while (j > 0 && (out[j - 2] as string) > name) {
      out[j] = out[j - 2] as string;
      out[j + 1] = out[j - 1] as string;
      j -= 2;
    }
    out[j] = name;
    out[j + 1] = value;
  }
  return out;
}

function has(labels: Labels, name: string): boolean {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return true;
  return false;
}

/**
 * Adds the target's labels to a sample's, as Prometheus's `mutateSampleLabels`: with
 * `honor_labels` the sample's own value wins; otherwise the target's does and the sample's
 * conflicting label is kept as `exported_<name>` (more `exported_` prefixes while taken).
 * Returns a new unsorted flat array.
 */
export function mergeTargetLabels(sample: Labels, target: Labels, honorLabels: boolean): Labels {
  if (target.length === 0) return sample.slice();
  const out = sample.slice();
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
