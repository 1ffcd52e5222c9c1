import type { Labels } from '../exposition/index.js';
import { compareLabelNames } from './label-name.js';

/**
 * A label set under modification with exactly the semantics of Prometheus's `labels.Builder`
 * (slice implementation), on which relabeling results depend:
 * - setting a label to "" deletes it, and input labels with an empty value count as deleted;
 * - `snapshot`/`forEach` visit the untouched input labels in name order, then the set labels in the order
 *   they were first set, over a snapshot taken before the first call of the callback
 *   (`labelmap` with two sources mapping to one target: the later one wins);
 * - `toLabels` returns the set sorted by name in UTF-8 byte order.
 * One builder is reused across `reset` calls; nothing is kept from the input array.
 */
export class LabelBuilder {
  /** Input labels sorted by name: [n0, v0, n1, v1, …]. */
  private base: string[] = [];
  private deleted: string[] = [];
  /** Set labels in insertion order: [n0, v0, …]. */
  private added: string[] = [];

  reset(labels: Labels): void {
    this.base = sortedCopy(labels);
    // Fresh arrays are cheaper than truncating (length = 0 takes a slow path in V8).
    if (this.deleted.length !== 0) this.deleted = [];
    if (this.added.length !== 0) this.added = [];
    const base = this.base;
    for (let i = 1; i < base.length; i += 2) if (base[i] === '') this.deleted.push(base[i - 1] as string);
  }

  get(name: string): string {
    const added = this.added;
    for (let i = 0; i < added.length; i += 2) if (added[i] === name) return added[i + 1] as string;
    if (this.deleted.length > 0 && this.deleted.includes(name)) return '';
    const base = this.base;
    for (let i = 0; i < base.length; i += 2) if (base[i] === name) return base[i + 1] as string;
    return '';
  }

  set(name: string, value: string): void {
    if (value === '') {
      this.delete(name);
      return;
    }
    const added = this.added;
    for (let i = 0; i < added.length; i += 2) {
      if (added[i] === name) {
        added[i + 1] = value;
        return;
      }
    }
    added.push(name, value);
  }

  delete(name: string): void {
    const added = this.added;
    for (let i = 0; i < added.length; i += 2) {
      if (added[i] === name) {
        added.splice(i, 2);
        break;
      }
    }
    this.deleted.push(name);
  }

  /**
   * The labels as Prometheus's `Range` visits them, copied first so that `set`/`delete` calls
   * while walking it do not change what is walked: untouched input labels in name order, then
   * set labels in insertion order. Flat `[n0, v0, …]`.
   */
  snapshot(): string[] {
    const added = this.added;
    const deleted = this.deleted;
    const base = this.base;
    if (added.length === 0 && deleted.length === 0) return base.slice();
    const out: string[] = [];
    for (let i = 0; i < base.length; i += 2) {
      const name = base[i] as string;
      if (deleted.includes(name) || hasName(added, name)) continue;
      out.push(name, base[i + 1] as string);
    }
    for (let i = 0; i < added.length; i++) out.push(added[i] as string);
    return out;
  }

  forEach(f: (name: string, value: string) => void): void {
    const labels = this.snapshot();
    for (let i = 0; i < labels.length; i += 2) f(labels[i] as string, labels[i + 1] as string);
  }

  toLabels(): Labels {
    // The input is sorted; only set labels can put the snapshot out of order.
    const labels = this.snapshot();
    return this.added.length === 0 ? labels : sortPairsInPlace(labels);
  }
}

function hasName(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

/** A copy sorted by name; equal names keep their input order. */
export function sortedCopy(labels: Labels): string[] {
  // A dangling name without a value (odd length) is not a label: leave it out.
  return sortPairsInPlace(labels.length % 2 === 0 ? labels.slice() : labels.slice(0, -1));
}

function sortPairsInPlace(out: string[]): string[] {
  const n = out.length - (out.length & 1);
  if (n > 128) return indexSort(out, n);
  // Label sets are small and usually nearly sorted (__name__ first, then exposition order; or
  // sorted input plus a few set labels): a stable insertion sort over pairs beats
  // Array.prototype.sort with an index array.
  for (let i = 2; i < n; i += 2) {
    const name = out[i] as string;
    if (compareLabelNames(out[i - 2] as string, name) <= 0) continue;
    const value = out[i + 1] as string;
    let j = i - 2;
    do {
      out[j + 2] = out[j] as string;
      out[j + 3] = out[j + 1] as string;
      j -= 2;
    } while (j >= 0 && compareLabelNames(out[j] as string, name) > 0);
    out[j + 2] = name;
    out[j + 3] = value;
  }
  return out;
}

function indexSort(labels: string[], n: number): string[] {
  const order: number[] = [];
  for (let i = 0; i < n; i += 2) order.push(i);
  order.sort((a, b) => compareLabelNames(labels[a] as string, labels[b] as string) || a - b);
  const out: string[] = new Array(n);
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    out[2 * k] = labels[i] as string;
    out[2 * k + 1] = labels[i + 1] as string;
  }
  return out;
}
