import type { Labels } from '../exposition/index.js';

/**
 * Target labels plus sample labels, the sample winning on conflicts, sorted by name: the label
 * set a series leaves the scrape with (what the engine does before `prepare`; the CLI needs it).
 */
export function mergeLabels(target: Labels, sample: Labels): Labels {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < target.length; i += 2) m.set(target[i] as string, target[i + 1] as string);
  for (let i = 0; i + 1 < sample.length; i += 2) m.set(sample[i] as string, sample[i + 1] as string);
  const names = [...m.keys()].sort();
  const out: string[] = [];
  for (const n of names) out.push(n, m.get(n) as string);
  return out;
}
