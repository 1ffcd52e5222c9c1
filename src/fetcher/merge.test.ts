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

test('worker renderer groups: a family of one worker’s sources is one piece; bytes as in-process; arenas reused only once released', async () => {
  const { WorkerRenderer, inlineRenderer } = await import('./renderer.js');
  const { mergeRenderedChunks } = await import('./render.js');
  const pool = new WorkerRenderer(2);
  try {
    const keys = Array.from({ length: 10 }, (_, i) => `http://127.0.0.1:${2000 + i}/metrics`);
    const targets = keys.map((_, i) => ['app_id', 'g', 'index', String(i), 'instance', `127.0.0.1:${2000 + i}`]);
    const body = (i: number, v: number) =>
      Buffer.from(
        `# HELP a_total As.\n# TYPE a_total counter\na_total{x="1"} ${v + i}\na_total{x="2"} ${v * 2}\n` +
          `# TYPE g gauge\ng ${v / 4}\n# TYPE h histogram\nh_bucket{le="1"} ${v}\nh_bucket{le="+Inf"} ${v + 1}\nh_sum 0.5\nh_count ${v + 1}\n` +
          (i === 3 ? '# TYPE only_three gauge\nonly_three 1\n' : ''),
      );
    const request = async (v: number, bad = -1) => {
      const group = pool.group(keys);
      const rendered = await Promise.all(
        keys.map((k, i) =>
          pool
            .render(i === bad ? Buffer.from('a{ 1\n') : body(i, v), 'text/plain', targets[i] as string[], 'text', k, group)
            .catch(() => null),
        ),
      );
      const inputs = keys.map((_, i) => ({ targetLabels: targets[i] as string[], rendered: rendered[i] ?? null, error: 'parse' }));
      const inline = await Promise.all(
        keys.map((k, i) => (i === bad ? null : inlineRenderer.render(body(i, v), 'text/plain', targets[i] as string[], 'text', k))),
      );
      const want = mergeRendered(
        keys.map((_, i) => ({ targetLabels: targets[i] as string[], rendered: inline[i] ?? null, error: 'parse' })),
        'text',
      ).toString();
      return { chunks: mergeRenderedChunks(inputs, 'text'), want, group, rendered };
    };
    const first = await request(1);
    assert.deepEqual(first.group.order, [0, 5, 1, 6, 2, 7, 3, 8, 4, 9], 'fetched with the two workers’ runs interleaved');
    assert.equal(Buffer.concat(first.chunks).toString(), first.want);
    // 4 families (one only in one source), 2 workers: a header and at most one piece per worker each.
    assert.ok(first.chunks.length <= 4 * 3, `${first.chunks.length} pieces`);
    // Held: later requests (one with a source that fails to parse) never write over its lines.
    const held = [first];
    for (let v = 2; v < 6; v++) held.push(await request(v, v === 3 ? 4 : -1));
    for (const h of held) assert.equal(Buffer.concat(h.chunks).toString(), h.want);
    const arenas = (h: { chunks: Buffer[] }) => new Set(h.chunks.filter((c) => c.buffer instanceof SharedArrayBuffer).map((c) => c.buffer));
    const inUse = new Set(held.flatMap((h) => [...arenas(h)]));
    assert.equal(inUse.size, 10, 'one arena per worker per held request');
    // Released, twice (idempotent): its arenas take the next request's lines; the others stay intact.
    held[1]?.group.release();
    held[1]?.group.release();
    await new Promise((r) => setImmediate(r));
    const next = await request(10);
    assert.equal(Buffer.concat(next.chunks).toString(), next.want);
    const reused = [...arenas(next)];
    assert.ok(reused.length > 0 && reused.every((b) => arenas(held[1] as { chunks: Buffer[] }).has(b)), 'the released arenas are reused');
    for (const [i, h] of held.entries()) if (i !== 1) assert.equal(Buffer.concat(h.chunks).toString(), h.want, `request ${i} intact`);
  } finally {
    await pool.close();
  }
});

test('worker renderer groups: a worker that dies with a group open is replaced; releasing that group is harmless', async () => {
  const { WorkerRenderer } = await import('./renderer.js');
  const pool = new WorkerRenderer(1);
  try {
    const keys = ['http://127.0.0.1:2100/metrics', 'http://127.0.0.1:2101/metrics'];
    const target = ['instance', 'x'];
    const render = (g: ReturnType<typeof pool.group>, v: number) =>
      Promise.all(keys.map((k) => pool.render(Buffer.from(`# TYPE m gauge\nm ${v}\n`), 'text/plain', target, 'text', k, g)));
    const g1 = pool.group(keys);
    await render(g1, 1);
    const lanes = (pool as unknown as { lanes: { worker: { terminate(): Promise<number> } | null }[] }).lanes;
    await lanes[0]?.worker?.terminate();
    await new Promise((r) => setTimeout(r, 50));
    g1.release();
    const g2 = pool.group(keys);
    const again = await render(g2, 2);
    const text = Buffer.concat(
      (await import('./render.js')).mergeRenderedChunks(
        again.map((r) => ({ targetLabels: target, rendered: r })),
        'text',
      ),
    ).toString();
    assert.equal(text, '# TYPE m gauge\nm{instance="x"} 2\nm{instance="x"} 2\n');
    g2.release();
  } finally {
    await pool.close();
  }
});

test('worker renderer groups: past the output pool’s bound, renders fall back to their own buffers, bytes unchanged', async () => {
  const { WorkerRenderer, inlineRenderer } = await import('./renderer.js');
  const { mergeRenderedChunks } = await import('./render.js');
  const pool = new WorkerRenderer(2, 300 << 10); // room for one request's arenas per worker, not two
  try {
    const keys = Array.from({ length: 10 }, (_, i) => `http://127.0.0.1:${2200 + i}/metrics`);
    const targets = keys.map((_, i) => ['index', String(i), 'instance', `127.0.0.1:${2200 + i}`]);
    const body = (i: number, v: number) =>
      Buffer.from(
        `# TYPE a gauge\n${Array.from({ length: 150 }, (_, k) => `a{k="${k}",pad="${'p'.repeat(60)}"} ${v + i}\n`).join('')}# TYPE b counter\nb_total ${v}\n`,
      );
    const request = async (v: number) => {
      const group = pool.group(keys);
      const rendered = await Promise.all(
        keys.map((k, i) => pool.render(body(i, v), 'text/plain', targets[i] as string[], 'text', k, group)),
      );
      const inline = await Promise.all(
        keys.map((k, i) => inlineRenderer.render(body(i, v), 'text/plain', targets[i] as string[], 'text', k)),
      );
      const chunks = mergeRenderedChunks(
        rendered.map((r, i) => ({ targetLabels: targets[i] as string[], rendered: r })),
        'text',
      );
      const want = mergeRendered(
        inline.map((r, i) => ({ targetLabels: targets[i] as string[], rendered: r })),
        'text',
      ).toString();
      const inArena = chunks.filter((c) => c.buffer instanceof SharedArrayBuffer).length;
      return { chunks, want, group, inArena };
    };
    const first = await request(1);
    assert.equal(Buffer.concat(first.chunks).toString(), first.want);
    assert.ok(first.inArena > 0, 'the first request fits its arenas');
    const second = await request(2); // the first still held: no room
    assert.equal(Buffer.concat(second.chunks).toString(), second.want);
    assert.equal(second.inArena, 0, 'the second falls back');
    assert.equal(Buffer.concat(first.chunks).toString(), first.want, 'the first intact');
    first.group.release();
    second.group.release();
    await new Promise((r) => setImmediate(r));
    const third = await request(3);
    assert.equal(Buffer.concat(third.chunks).toString(), third.want);
    assert.ok(third.inArena > 0, 'released arenas are used again');
  } finally {
    await pool.close();
  }
});
