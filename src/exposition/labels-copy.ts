import type { Labels } from './types.js';

/**
 * The first `n` entries of `src` (a parser's scratch of alternating names and values) as a new
 * exact-size array. Written as one array literal per pair count, not `slice`: V8 tracks an
 * allocation site per literal and, seeing that every label array of a parse survives it,
 * allocates them straight in the old generation, so scavenges stop copying them (`slice` has no
 * allocation site and its arrays are copied by every scavenge until promoted). V8 learns this
 * only from unoptimized code: it wins when a large body comes early in a process (`cf-prom parse
 * --stats --repeat`), and is neutral when small bodies got the parser optimized first. Label
 * sets of more than eight pairs are rare enough to take `slice`.
 */
export function copyLabels(src: readonly string[], n: number): Labels {
  switch (n >> 1) {
    case 0:
      return [];
    case 1:
      return [src[0] as string, src[1] as string];
    case 2:
      return [src[0] as string, src[1] as string, src[2] as string, src[3] as string];
    case 3:
      return [src[0] as string, src[1] as string, src[2] as string, src[3] as string, src[4] as string, src[5] as string];
    case 4:
      return [
        src[0] as string,
        src[1] as string,
        src[2] as string,
        src[3] as string,
        src[4] as string,
        src[5] as string,
        src[6] as string,
        src[7] as string,
      ];
    case 5:
      return [
        src[0] as string,
        src[1] as string,
        src[2] as string,
        src[3] as string,
        src[4] as string,
        src[5] as string,
        src[6] as string,
        src[7] as string,
        src[8] as string,
        src[9] as string,
      ];
    case 6:
      return [
        src[0] as string,
        src[1] as string,
        src[2] as string,
        src[3] as string,
        src[4] as string,
        src[5] as string,
        src[6] as string,
        src[7] as string,
        src[8] as string,
        src[9] as string,
        src[10] as string,
        src[11] as string,
      ];
    case 7:
      return [
        src[0] as string,
        src[1] as string,
        src[2] as string,
        src[3] as string,
        src[4] as string,
        src[5] as string,
        src[6] as string,
        src[7] as string,
        src[8] as string,
        src[9] as string,
        src[10] as string,
        src[11] as string,
        src[12] as string,
        src[13] as string,
      ];
    case 8:
      return [
        src[0] as string,
        src[1] as string,
        src[2] as string,
        src[3] as string,
        src[4] as string,
        src[5] as string,
        src[6] as string,
        src[7] as string,
        src[8] as string,
        src[9] as string,
        src[10] as string,
        src[11] as string,
        src[12] as string,
        src[13] as string,
        src[14] as string,
        src[15] as string,
      ];
    default:
      return src.slice(0, n);
  }
}
