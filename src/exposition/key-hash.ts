import type { SeriesKey } from './types.js';

/**
 * The hash of a series key (`name{labels}` as exposed) that parsers compute on the way and
 * caches use: 32-bit FNV-1a over the bytes, kept to 30 bits so it stays a V8 small integer.
 */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;
export const KEY_HASH_MASK = 0x3fffffff;

/** The key hash of bytes [start, end). */
export function keyHashBytes(buf: Buffer, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), FNV_PRIME);
  return h & KEY_HASH_MASK;
}

/** A `SeriesKey` over its own copy of a latin1 text (tests, and callers holding a key as text). */
export function seriesKeyOf(text: string): SeriesKey {
  const buf = Buffer.from(text, 'latin1');
  return { buf, start: 0, end: buf.length, hash: keyHashBytes(buf, 0, buf.length) };
}
