import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seriesKeyOf as k } from '../exposition/index.js';
import { seededRandom } from '../testing/seeded-random.js';
import { SeriesCache, type SeriesEntry, seriesEntry } from './series-cache.js';

const entry = (c: SeriesCache, name: string) => seriesEntry(name, name, 'gauge', null, false, c.iteration);

test('series cache: lookup, prediction in scrape order, eviction and arena compaction', () => {
  const c = new SeriesCache();
  c.begin();
  const keys = Array.from({ length: 5000 }, (_, i) => `metric_${i}{label="${'x'.repeat(20)}"}`);
  for (const key of keys) c.add(entry(c, key.slice(0, key.indexOf('{'))), k(key));
  c.commit();
  assert.equal(c.size, 5000);
  assert.equal(c.get(k(keys[42] as string))?.name, 'metric_42');
  assert.equal(c.get(k('metric_42{label="y"}')), undefined);
  // Prediction: the body holds the keys in the same order.
  const body = Buffer.from(keys.map((k) => `${k} 1\n`).join(''));
  c.begin();
  let pos = 0;
  for (const key of keys) {
    const e = c.predict(body, pos, body.indexOf(10, pos));
    assert.ok(e !== null, key);
    assert.equal(c.touch(e), true);
    assert.equal(c.touch(e), false, 'second sighting in one scrape is a duplicate');
    pos = body.indexOf(10, pos) + 1;
  }
  // A scrape that keeps only 10 series evicts the rest and compacts the key arena.
  c.commit();
  const before = c.arenaBytes;
  c.begin();
  for (const key of keys.slice(0, 10)) c.touch(c.get(k(key)) as SeriesEntry);
  assert.equal(c.commit(), 4990);
  assert.equal(c.size, 10);
  assert.ok(c.arenaBytes < before, `${c.arenaBytes} < ${before}`);
  assert.equal(c.get(k(keys[3] as string))?.name, 'metric_3');
  assert.equal(c.get(k(keys[30] as string)), undefined);
  // Predictions still read the right bytes after compaction.
  c.begin();
  const small = Buffer.from(
    keys
      .slice(0, 10)
      .map((k) => `${k} 2\n`)
      .join(''),
  );
  assert.equal(c.predict(small, 0, small.indexOf(10))?.name, 'metric_0');
});

test('a failed scrape takes back the series it added; the last good order stays', () => {
  const c = new SeriesCache();
  c.begin();
  c.add(entry(c, 'a'), k('a'));
  c.commit();
  for (let i = 0; i < 300; i++) {
    c.begin();
    c.touch(c.get(k('a')) as SeriesEntry);
    for (let j = 0; j < 100; j++) c.add(entry(c, `new_${i}_${j}_${'x'.repeat(20)}`), k(`new_${i}_${j}_${'x'.repeat(20)}`));
    c.rollback();
  }
  assert.equal(c.size, 1);
  assert.equal(c.get(k('new_5_5')), undefined);
  assert.ok(c.arenaBytes <= 64 << 10, `the failed passes' keys are taken back too (arena ${c.arenaBytes} B)`);
  c.begin();
  const body = Buffer.from('a 1\n');
  assert.equal(c.predict(body, 0, 3)?.name, 'a');
});

test('prediction compares every byte: near misses at any position, and +0/-0 patterns of NUL keys', () => {
  const c = new SeriesCache();
  c.begin();
  const key = 'm{a="0123456789abcdef",b="xyz"}';
  c.add(entry(c, 'm'), k(key));
  // Key bytes 8-15 are NULs: as a double that word is +0.
  const nul = `n{a="${'\0'.repeat(11)}"}`;
  c.add(entry(c, 'n'), k(nul));
  c.commit();
  c.begin();
  for (let i = 0; i < key.length; i++) {
    const changed = `${key.slice(0, i)}${String.fromCharCode(key.charCodeAt(i) ^ 1)}${key.slice(i + 1)} 1\n`;
    const b = Buffer.from(changed, 'latin1');
    assert.equal(c.predict(b, 0, b.length - 1), null, `byte ${i} differs`);
  }
  const ok = Buffer.from(`${key} 1\n`, 'latin1');
  const e = c.predict(ok, 0, ok.length - 1);
  assert.equal(e?.name, 'm');
  c.touch(e as SeriesEntry);
  // 0x80 as the word's last byte makes it -0, a double equal to +0: it must not match.
  const negZero = Buffer.from(`${nul} 1\n`, 'latin1');
  negZero[15] = 0x80;
  assert.equal(c.predict(negZero, 0, negZero.length - 1), null);
  const same = Buffer.from(`${nul} 1\n`, 'latin1');
  assert.equal(c.predict(same, 0, same.length - 1)?.name, 'n', 'the exact NUL key is predicted');
  assert.equal(c.get(k(nul))?.name, 'n');
});

test('the hash index: colliding hashes, a newer entry shadowing an older one, growth and shrinking', () => {
  const c = new SeriesCache();
  // Every key with the same hash: lookups must still compare the bytes.
  const same = (text: string) => ({ ...k(text), hash: 42 });
  c.begin();
  for (let i = 0; i < 3000; i++) c.add(entry(c, `m${i}`), same(`m{i="${i}"}`));
  c.commit();
  assert.equal(c.size, 3000);
  for (const i of [0, 1, 1499, 2999]) assert.equal(c.get(same(`m{i="${i}"}`))?.name, `m${i}`);
  assert.equal(c.get(same('m{i="3000"}')), undefined);
  // The source changed a series' family: the new entry shadows the old one at once...
  c.begin();
  for (let i = 0; i < 3000; i++) c.touch(c.get(same(`m{i="${i}"}`)) as SeriesEntry);
  const newer = seriesEntry('m7', 'other_family', 'counter', null, false, c.iteration);
  c.add(newer, same('m{i="7"}'));
  assert.equal(c.get(same('m{i="7"}')), newer);
  c.commit();
  // ...and stays the one found after the index is rebuilt (both were seen in that pass).
  c.begin();
  c.touch(c.get(same('m{i="7"}')) as SeriesEntry);
  assert.equal(c.commit(), 3000, 'all but the newer entry evicted');
  assert.equal(c.get(same('m{i="7"}')), newer);
  assert.equal(c.get(same('m{i="8"}')), undefined);
  // Many distinct keys, then few: the index grows and shrinks with them.
  c.begin();
  for (let i = 0; i < 50_000; i++) c.add(entry(c, 'g'), k(`g{i="${i}"}`));
  c.commit();
  assert.equal(c.size, 50_000);
  assert.equal(c.get(k('g{i="49999"}'))?.name, 'g');
  c.begin();
  c.touch(c.get(k('g{i="5"}')) as SeriesEntry);
  c.commit();
  assert.equal(c.size, 1);
  assert.equal(c.get(k('g{i="5"}'))?.name, 'g');
  assert.equal(c.get(k('g{i="6"}')), undefined);
});

test('the order kept for prediction follows sources that grow, shrink and reorder', () => {
  const c = new SeriesCache();
  const rand = seededRandom(3).below;
  const all = Array.from({ length: 60 }, (_, i) => `m_${i}{x="${i}"}`);
  let previous: string[] = [];
  for (let pass = 0; pass < 200; pass++) {
    // Mostly the previous pass again; sometimes a different subset in a different order.
    const keys = pass > 0 && rand(3) > 0 ? previous : all.filter(() => rand(2) === 0).sort(() => rand(3) - 1);
    const body = Buffer.from(keys.map((key) => `${key} 1\n`).join(''));
    c.begin();
    let pos = 0;
    let predicted = 0;
    for (const key of keys) {
      const end = body.indexOf(10, pos);
      let e = c.predict(body, pos, end);
      if (e !== null) {
        predicted++;
        assert.equal(e.name, key.slice(0, key.indexOf('{')), 'a prediction is the series on the line');
        c.touch(e);
      } else {
        e = c.get(k(key)) ?? null;
        if (e !== null) c.touch(e);
        else c.add(entry(c, key.slice(0, key.indexOf('{'))), k(key));
      }
      pos = end + 1;
    }
    c.commit();
    assert.equal(c.size, keys.length);
    if (keys === previous) assert.equal(predicted, keys.length, `pass ${pass}: the same order is predicted in full`);
    previous = keys;
  }
});
