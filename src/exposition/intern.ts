import { latin1 } from './bytes.js';

const SLOTS = 8192;
const MAX_LEN = 64;
const table: Array<string | undefined> = new Array(SLOTS).fill(undefined);
/** The bytes of each slot's string, compared as bytes: much faster than `charCodeAt` in V8. */
const arena = new Uint8Array(SLOTS * MAX_LEN);
const lengths = new Int32Array(SLOTS).fill(-1);

/**
 * Returns one shared string for short ASCII byte ranges that repeat (label values like `GET`,
 * `200`, instance ids; metric names of histogram lines), so a parse allocates a string once per
 * distinct value rather than once per sample. `hash` is any well-mixed hash of the bytes that the
 * caller computed on the way; a caller finds a string again when it hashes the same bytes the
 * same way. A bounded, direct-mapped table: a collision just replaces.
 */
export function internAscii(buf: Buffer, start: number, end: number, hash: number): string {
  const len = end - start;
  if (len > MAX_LEN) return latin1(buf, start, end);
  const slot = (hash ^ (len << 7)) & (SLOTS - 1);
  const at = slot * MAX_LEN;
  if (lengths[slot] === len) {
    let i = 0;
    while (i < len && buf[start + i] === arena[at + i]) i++;
    if (i === len) return table[slot] as string;
  }
  const s = latin1(buf, start, end);
  table[slot] = s;
  lengths[slot] = len;
  for (let i = 0; i < len; i++) arena[at + i] = buf[start + i] as number;
  return s;
}
