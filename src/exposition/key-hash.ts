import { B, C, charClass, viewOf } from './bytes.js';
import type { SeriesKey } from './types.js';

/**
 * The hash of a series key (`name{labels}` as exposed) that parsers compute once a line's key is
 * found and caches use. Kept to 30 bits so it stays a V8 small integer. Never persisted: it may
 * change between versions. The one rule: the same key bytes always give the same hash, whichever
 * path of whichever parser read them.
 *
 * A key of the plain form, `name` or `name{l="v",…}` with no blanks, escapes or quoted names
 * (what the parsers' fast path reads), is hashed from the hashes of its tokens: the name, each
 * label (name and value). The fast path has those already (it hashes tokens byte by byte to
 * intern their strings, and keeps the hashes of tokens it skips as equal to the previous
 * line's), so a new series' key costs a fold per token instead of a second pass over ~100
 * bytes (~1,000 instructions per key; callgrind, session 9). Any other key is hashed from its
 * bytes (`keyHashBytes`).
 */
export const KEY_HASH_MASK = 0x3fffffff;

/** Token hashes: FNV-1a, 32 bits. `tokenStep(TOKEN_SEED, c)` starts a token; every scanner uses these. */
export const TOKEN_SEED = 0x811c9dc5 | 0;
export const TOKEN_PRIME = 0x01000193;
export function tokenStep(h: number, c: number): number {
  return Math.imul(h ^ c, TOKEN_PRIME);
}

/** The token hash of bytes [start, end) (parsers that did not hash on the way). */
export function tokenHash(buf: Uint8Array, start: number, end: number): number {
  let h = TOKEN_SEED;
  for (let p = start; p < end; p++) h = tokenStep(h, buf[p] as number);
  return h;
}

const KEY_SEED = 0x6b43a9b5;

/** Folds one token's hash into a key hash (the murmur3 block step). */
export function foldToken(h: number, token: number): number {
  h ^= mixWord(token);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** One label's token: its name's and its value's token hashes, one fold for the pair. */
export function labelToken(nameHash: number, valueHash: number): number {
  return Math.imul(nameHash, 0x9e3779b1) ^ valueHash;
}

/** A plain key's hash from its name's token hash; fold each `labelToken` in, then `finishKeyHash`. */
export function startKeyHash(nameHash: number): number {
  return foldToken(KEY_SEED, nameHash);
}

/** The final avalanche, so that the low bits a hash table masks depend on every token. */
export function finishKeyHash(h: number, tokens: number): number {
  h ^= tokens;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & KEY_HASH_MASK;
}

const NAME_START = C.NAME_START;
const NAME = C.NAME;
const LABEL_START = C.LABEL_START;
const LABEL = C.LABEL;

/**
 * The key hash of bytes [start, end) of `buf`, read from scratch: the token hash for a plain key
 * (the grammar of `FastLine.scan`, which must stay the same), the byte hash for any other.
 */
export function keyHash(buf: Uint8Array, start: number, end: number): number {
  const cls = charClass;
  let p = start;
  if (p >= end || !((cls[buf[p] as number] as number) & NAME_START)) return keyHashBytes(viewOf(buf), start, end);
  let t = tokenStep(TOKEN_SEED, buf[p++] as number);
  while (p < end && (cls[buf[p] as number] as number) & NAME) t = tokenStep(t, buf[p++] as number);
  let h = startKeyHash(t);
  let tokens = 1;
  if (p === end) return finishKeyHash(h, tokens);
  if (buf[p++] !== B.LBRACE) return keyHashBytes(viewOf(buf), start, end);
  for (;;) {
    if (p >= end || !((cls[buf[p] as number] as number) & LABEL_START)) return keyHashBytes(viewOf(buf), start, end);
    t = tokenStep(TOKEN_SEED, buf[p++] as number);
    while (p < end && (cls[buf[p] as number] as number) & LABEL) t = tokenStep(t, buf[p++] as number);
    if (p + 1 >= end || buf[p] !== B.EQ || buf[p + 1] !== B.QUOTE) return keyHashBytes(viewOf(buf), start, end);
    p += 2;
    let v = TOKEN_SEED;
    for (; p < end; p++) {
      const c = buf[p] as number;
      if (c === B.QUOTE) break;
      if (c === B.BSLASH || c === B.NL) return keyHashBytes(viewOf(buf), start, end);
      v = tokenStep(v, c);
    }
    if (p + 1 >= end) return keyHashBytes(viewOf(buf), start, end);
    h = foldToken(h, labelToken(t, v));
    tokens++;
    const c = buf[p + 1];
    p += 2;
    if (c === B.RBRACE) return p === end ? finishKeyHash(h, tokens) : keyHashBytes(viewOf(buf), start, end);
    if (c !== B.COMMA) return keyHashBytes(viewOf(buf), start, end);
  }
}

/**
 * The byte hash of bytes [start, end) of the buffer `view` covers (`viewOf`), for keys that are
 * not plain: four bytes per step with the multiply-rotate mix of murmur3, each word read as one
 * little-endian load.
 */
export function keyHashBytes(view: DataView, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) h = foldToken(h, view.getInt32(i, true));
  let w = 0;
  for (let shift = 0; i < end; i++, shift += 8) w |= view.getUint8(i) << shift;
  h ^= mixWord(w);
  return finishKeyHash(h, 0);
}

function mixWord(w: number): number {
  const k = Math.imul(w, 0xcc9e2d51);
  return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
}

/** A `SeriesKey` over its own copy of a latin1 text (tests, and callers holding a key as text). */
export function seriesKeyOf(text: string): SeriesKey {
  const buf = Buffer.from(text, 'latin1');
  return { buf, start: 0, end: buf.length, hash: keyHash(buf, 0, buf.length) };
}
