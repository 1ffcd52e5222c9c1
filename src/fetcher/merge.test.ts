import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition } from '../exposition/index.js';
import { forwardedHeaders } from './headers.js';
import { resolveMetricPath } from './metric-path.js';
import { type MergeStats, mergeRendered, renderSource } from './render.js';

const fam = (text: string) => parseExposition(Buffer.from(text), { format: 'text' });

test('merge: HELP/TYPE once, first HELP wins, missing HELP filled later, failures and conflicts reported', () => {
  const stats: MergeStats = { typeConflicts: [] };
  const src = (targetLabels: string[], text: string) => ({ targetLabels, rendered: renderSource(fam(text), targetLabels, 'text') });
  const out = mergeRendered(
    [
      src(['instance', 'a'], '# TYPE x_total counter\nx_total 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 2\nh_count 1\n'),
      src(['instance', 'b'], '# HELP x_total Xs.\n# TYPE x_total counter\nx_total 2\n# TYPE h summary\nh_count 3\nh_sum 1\n'),
      { targetLabels: ['instance', 'c'], rendered: null, error: 'timeout' },
    ],
    'text',
    stats,
  );
  assert.equal(
    out.toString(),
    [
      '# HELP x_total Xs.',
      '# TYPE x_total counter',
      'x_total{instance="a"} 1',
      'x_total{instance="b"} 2',
      '# TYPE h histogram',
      'h_bucket{le="+Inf",instance="a"} 1',
      'h_sum{instance="a"} 2',
      'h_count{instance="a"} 1',
      '# HELP promfetcher_type_conflict A family of this source was dropped: an earlier instance declared it with another type.',
      '# TYPE promfetcher_type_conflict gauge',
      'promfetcher_type_conflict{instance="b",metric="h",type="summary",expected="histogram"} 1',
      '# HELP promfetcher_scrape_error Promfetcher scrap error on your instance',
      '# TYPE promfetcher_scrape_error counter',
      'promfetcher_scrape_error{instance="c",error="timeout"} 1',
      '',
    ].join('\n'),
  );
  assert.equal(stats.typeConflicts.length, 1);
});

test('metric_path normalisation', () => {
  assert.equal(resolveMetricPath(null), '/metrics');
  assert.equal(resolveMetricPath('  '), '/metrics');
  assert.equal(resolveMetricPath('prometheus'), '/prometheus');
  assert.equal(resolveMetricPath('/a/b?x=1&y=%20'), '/a/b?x=1&y=%20');
  for (const bad of ['https://x/', '//x/y', 'x.example.com:9090/m', '/a/%2E%2E/b', '/a/./b', '/\u00e9', '/a?b#c', '/a?b c']) {
    assert.throws(() => resolveMetricPath(bad), { code: 'FETCHER_METRIC_PATH', status: 400 }, bad);
  }
});

test('forwarded headers: sorted, joined, filtered', () => {
  const h = forwardedHeaders(
    {
      'x-b': ['1', '2'],
      'x-a': 'a',
      host: 'h',
      'proxy-x': 'p',
      'x-forwarded-host': 'f',
      connection: 'x-c',
      'x-c': 'c',
      accept: 'x',
      te: 'trailers',
    },
    { deny: new Set(['x-denied']), consumeAuthorization: false },
  );
  assert.deepEqual(h, [
    ['x-a', 'a'],
    ['x-b', '1, 2'],
  ]);
});

test('worker renderer: same bytes as in-process, parse errors keep their code, closed pool refuses', async () => {
  const { WorkerRenderer, inlineRenderer } = await import('./renderer.js');
  const pool = new WorkerRenderer(2);
  try {
    const body = Buffer.from('# HELP a_total As.\n# TYPE a_total counter\na_total{x="1",instance="spoof"} 1\na_total{x="2"} 2\nb 3\n');
    const target = ['app_id', 'g', 'instance', '127.0.0.1:1'];
    for (const format of ['text', 'openmetrics'] as const) {
      const [w, i] = await Promise.all([
        pool.render(Buffer.from(body), 'text/plain', target, format),
        inlineRenderer.render(body, 'text/plain', target, format),
      ]);
      const bytes = (r: typeof w) => mergeRendered([{ targetLabels: target, rendered: r }], format).toString();
      assert.equal(bytes(w), bytes(i));
    }
    const many = await Promise.all(Array.from({ length: 20 }, (_, k) => pool.render(Buffer.from(`m ${k}\n`), null, target, 'text')));
    assert.deepEqual(
      many.map((r) => r.families[0]?.lines.toString()),
      Array.from({ length: 20 }, (_, k) => `m{app_id="g",instance="127.0.0.1:1"} ${k}\n`),
    );
    await assert.rejects(pool.render(Buffer.from('a{ 1\n'), null, target, 'text'), { code: 'EXPOSITION_SYNTAX' });
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.render(Buffer.from('a 1\n'), null, [], 'text'), { code: 'FETCHER_CLOSED' });
});
