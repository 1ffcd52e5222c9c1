/**
 * A small linear congruential generator (Numerical Recipes constants): the same sequence on every
 * run and machine, for randomized tests and generated corpora. `next()` is in [0, 1);
 * `below(n)` is an integer in [0, n).
 */
export function seededRandom(seed: number): { next(): number; below(n: number): number } {
  let s = seed >>> 0;
  const step = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  return { next: () => step() / 2 ** 32, below: (n) => step() % n };
}
