import type { Labels } from '../exposition/index.js';
import type { RelabelChain } from './chain.js';

/**
 * Sample relabeling (`metric_relabel_configs`): the rules see `__name__` plus the sample's
 * labels. Returns the new name and the other labels (sorted by name), or null when a rule
 * dropped the sample or it was left without a `__name__`.
 */
export function relabelSample(chain: RelabelChain, name: string, labels: Labels): { name: string; labels: Labels } | null {
  const input: string[] = new Array(labels.length + 2);
  input[0] = '__name__';
  input[1] = name;
  for (let i = 0; i < labels.length; i++) input[i + 2] = labels[i] as string;
  const out = chain.process(input);
  if (out === null) return null;
  for (let i = 0; i < out.length; i += 2) {
    if (out[i] === '__name__') {
      const newName = out[i + 1] as string;
      out.splice(i, 2);
      return { name: newName, labels: out };
    }
  }
  return null;
}
