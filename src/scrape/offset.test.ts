import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextScrapeAt, OFFSET_GRID_MS, scrapeOffsetMs } from './offset.js';

const keys = Array.from({ length: 2000 }, (_, i) => `http://10.0.${i >> 8}.${i & 255}:9100/metrics`);

test('offsets sit on the grid, spread evenly over its windows, and are stable', () => {
  const perWindow = new Array(10).fill(0);
  for (const k of keys) {
    const o = scrapeOffsetMs(k, 1000, 'host-a');
    assert.equal(o % OFFSET_GRID_MS, 0, `offset ${o} of ${k} is off the grid`);
    assert.ok(o >= 0 && o < 1000);
    assert.equal(scrapeOffsetMs(k, 1000, 'host-a'), o);
    perWindow[o / OFFSET_GRID_MS]++;
  }
  for (const n of perWindow) assert.ok(n >= 150 && n <= 250, `uneven spread ${perWindow}`);
  // Another host scrapes the same targets at other times.
  const moved = keys.filter((k) => scrapeOffsetMs(k, 1000, 'host-a') !== scrapeOffsetMs(k, 1000, 'host-b')).length;
  assert.ok(moved > keys.length * 0.8, `${moved} of ${keys.length} moved`);
});

test('short intervals use a tenth of the interval as the grid; 0 means no schedule', () => {
  const seen = new Set<number>();
  for (const k of keys) {
    const o = scrapeOffsetMs(k, 200, 'h');
    assert.equal(o % 20, 0);
    seen.add(o);
  }
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [0, 20, 40, 60, 80, 100, 120, 140, 160, 180],
  );
  for (const k of keys.slice(0, 50)) assert.ok(scrapeOffsetMs(k, 5, 'h') < 5);
  assert.equal(scrapeOffsetMs(keys[0] as string, 0, 'h'), 0);
});

test('nextScrapeAt: the next multiple of the interval plus the offset, not before now', () => {
  assert.equal(nextScrapeAt(10_050, 1000, 100), 10_100);
  assert.equal(nextScrapeAt(10_100, 1000, 100), 10_100);
  assert.equal(nextScrapeAt(10_101, 1000, 100), 11_100);
});
