import type { Labels } from '../exposition/index.js';

/** Sorted copy of a flat label array by name, empty values removed (Prometheus label sets). */
export function sortLabels(labels: Labels): Labels {
  const n = labels.length >> 1;
  if (n <= 1) return labels.length === 2 && labels[1] === '' ? [] : labels.slice();
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i * 2;
  idx.sort((a, b) => {
    const x = labels[a] as string;
    const y = labels[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const out: Labels = [];
  for (const i of idx) if (labels[i + 1] !== '') out.push(labels[i] as string, labels[i + 1] as string);
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
