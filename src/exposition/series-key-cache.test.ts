import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyHash } from './key-hash.js';
import { CachedSeries, SeriesKeyCache } from './series-key-cache.js';

const keyAt = (buf: Buffer, start: number, end: number) => ({ buf, start, end, hash: keyHash(buf, start, end) });

/**
 * Keys whose bytes make doubles that compare equal while their bits differ (0 and -0) or that
 * equal nothing (NaN patterns: UTF-8 lead bytes before a DEL), each parsed at every alignment
 * and against every key one byte apart: the cache compares keys eight bytes at a time as doubles.
 */
test('key comparison is exact at every alignment, for byte patterns that are 0, -0 or NaN as doubles', () => {
  const zeros = '\0'.repeat(8);
  const minusZero = `${'\0'.repeat(7)}\x80`;
  const nan = `abcdef\xf8\x7f`;
  // Keys are compared eight bytes at a time from their start, and `m{v="abc` is eight bytes.
  const values = [`abc${zeros}`, `abc${minusZero}`, `abc${nan}`, `abc${nan}${zeros}x`, 'plain value 123', zeros, `abc${minusZero}y`];
  for (const value of values) {
    const key = `m{v="${value}"}`;
    // One byte of the value changed (zeros and -0 are one such change apart).
    const variants = Array.from({ length: value.length }, (_, i) => {
      const at = 5 + i;
      return key.slice(0, at) + String.fromCharCode(key.charCodeAt(at) ^ 0x80) + key.slice(at + 1);
    });
    for (let shift = 0; shift < 8; shift++) {
      const line = (k: string): Buffer => Buffer.from(`${' '.repeat(shift)}${k} 1\n`, 'latin1');
      const cache = new SeriesKeyCache<CachedSeries>();
      // Another key first, so that this one does not sit at the arena's start.
      const other = line('o{a="1"}');
      cache.begin();
      cache.add(new CachedSeries('o', 'o', 'gauge', cache.iteration), keyAt(other, shift, shift + 8));
      const body = line(key);
      cache.add(new CachedSeries('m', 'm', 'gauge', cache.iteration), keyAt(body, shift, shift + key.length));
      cache.commit();
      cache.begin();
      assert.ok(cache.predict(other, shift, other.length) !== null);
      cache.touch(cache.predict(other, shift, other.length) as CachedSeries);
      const e = cache.predict(body, shift, body.length);
      assert.ok(e !== null && e.name === 'm', `shift ${shift}: ${JSON.stringify(key)} predicted`);
      assert.equal(cache.get(keyAt(body, shift, shift + key.length)), e);
      for (const v of variants) {
        const b = line(v);
        assert.equal(cache.predict(b, shift, b.length), null, `shift ${shift}: ${JSON.stringify(v)} is not ${JSON.stringify(key)}`);
        assert.equal(cache.get(keyAt(b, shift, shift + v.length)), undefined, `shift ${shift}: ${JSON.stringify(v)}`);
      }
      cache.rollback();
    }
  }
});
