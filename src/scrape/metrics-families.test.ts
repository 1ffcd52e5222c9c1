import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition, writeText } from '../exposition/index.js';
import { createScrapeMetrics, observeDuration } from './metrics.js';
import { scrapeMetricsToFamilies } from './metrics-families.js';

test('self-metrics render as valid text exposition with the original names', () => {
  const m = createScrapeMetrics();
  m.scrapesStarted = 3;
  m.scrapesFailed.set('timeout', 1);
  m.failedBySourceId.set('my-src', 1);
  observeDuration(m, 0.02);
  observeDuration(m, 3);
  const text = writeText(scrapeMetricsToFamilies(m));
  const fams = parseExposition(Buffer.from(text), { format: 'text' });
  const byName = new Map(fams.map((f) => [f.name, f]));
  assert.equal(byName.get('scrapes_started_total')?.samples[0]?.value, 3);
  assert.deepEqual(byName.get('failed_scrapes_total')?.samples[0]?.labels, ['scrape_target_source_id', 'my-src']);
  assert.deepEqual(byName.get('scrapes_error_total')?.samples[0]?.labels, ['reason', 'timeout']);
  const h = byName.get('scrape_duration_seconds');
  assert.equal(h?.type, 'histogram');
  assert.equal(h?.samples.find((s) => s.labels[1] === '0.025')?.value, 1);
  assert.equal(h?.samples.find((s) => s.labels[1] === '+Inf')?.value, 2);
  assert.equal(h?.samples.find((s) => s.name === 'scrape_duration_seconds_count')?.value, 2);
});
