import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExpositionFormat, parseExposition } from '../exposition/index.js';
import { OPENMETRICS_EVERY_TYPE } from '../testing/openmetrics-every-type.js';
import { seededRandom } from '../testing/seeded-random.js';
import { type RenderedSource, renderSource } from './render.js';
import { RenderCaches, SourceRenderCache } from './render-cache.js';

const TEXT = 'text/plain; version=0.0.4';
const target = ['app_id', 'g', 'index', '0', 'instance', '127.0.0.1:1'];

/** Everything a rendered source carries, as plain data. */
function dump(r: RenderedSource): unknown {
  return {
    families: r.families.map((f) => ({ name: f.name, type: f.type, help: f.help, unit: f.unit, lines: f.lines.toString() })),
    series: r.series,
    duplicates: r.duplicates,
  };
}

function cold(body: string, format: ExpositionFormat, contentType = TEXT): unknown {
  return dump(renderSource(parseExposition(Buffer.from(body), { contentType }), target, format, body.length));
}

const RICH = [
  '# HELP req_total Requests "served" \\\\ here.',
  '# TYPE req_total counter',
  'req_total{code="200",instance="spoof"} 10 1700000000000',
  'req_total{code="500"} 1',
  'req_total{code="200"} 11',
  '# TYPE up counter',
  'up 1',
  '# TYPE lat histogram',
  'lat_bucket{le="0.1"} 1',
  'lat_bucket{le="+Inf"} 2',
  'lat_sum 0.25',
  'lat_count 2',
  '# TYPE q summary',
  'q{quantile="0.5"} NaN',
  'q_sum -0',
  'q_count 0',
  'g{path="/a\\"b\\\\c\\nd",name="ünïcödé"} -1.5e-7',
  'g{path="x"} 12345678901',
  '{"my.dotted", "label.x"="y"} 3',
  'other_created 5',
  'g{path="late"} 2',
  '# HELP up Whether it is up (HELP after its samples).',
  'big 1e300 -9007199254740993',
  '',
].join('\n');

test('render cache: a hit renders the very bytes of a cold render (text and OpenMetrics output)', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    const c = new SourceRenderCache(target, format);
    const want = cold(RICH, format);
    assert.deepEqual(dump(c.render(Buffer.from(RICH), TEXT)), want, `${format}: first render`);
    assert.equal(c.lastHits, 0);
    for (let i = 0; i < 3; i++) assert.deepEqual(dump(c.render(Buffer.from(RICH), TEXT)), want, `${format}: render ${i + 2}`);
    assert.equal(c.lastHits, 17, 'every sample line came from the cache');
    assert.equal(c.size, 17);
  }
});

test('render cache: changed values, new, removed and reordered series render as a cold render would', () => {
  const c = new SourceRenderCache(target, 'openmetrics');
  const bodies = [
    '# TYPE a counter\na{x="1"} 1\na{x="2"} 2\nb 3\n',
    '# TYPE a counter\na{x="1"} 5\na{x="3"} 2\nb 3\nb 3\n', // x="2" gone, x="3" new, b twice (passed on)
    '# TYPE a counter\nb 4\na{x="3"} 7\na{x="1"} 6\n', // reordered
    '# TYPE a counter\na{x="1"} 6\nb 4\na{x="3"} 7\n', // family re-entered after b
    'a{x="1"} 1\n', // no TYPE: untyped now
  ];
  for (const body of bodies) assert.deepEqual(dump(c.render(Buffer.from(body), TEXT)), cold(body, 'openmetrics'), body);
  assert.equal(c.size, 1, 'only the last render’s series stay');
});

test('render cache: a family whose type changes, and reserved labels that collide, are rendered afresh', () => {
  const c = new SourceRenderCache(target, 'text');
  const bodies = [
    '# TYPE x counter\nx{k="1"} 1\n',
    '# TYPE x gauge\nx{k="1"} 1\n',
    '# TYPE x summary\nx{k="1",quantile="0.5"} 1\nx_sum{k="1"} 1\nx_count{k="1"} 1\n',
    '# TYPE x histogram\nx_sum{k="1"} 1\nx_count{k="1"} 1\n',
    // a reserved label removed: the family is de-duplicated, first wins
    'y{k="1"} 1\ny{k="1",index="7"} 2\ny{k="2"} 3\n',
    'y{k="1"} 1\ny{k="1",index="7"} 2\ny{k="2"} 3\n',
    'y{k="1"} 1\ny{k="2"} 3\ny{k="2",instance="x"} 4\n',
    // replayed (only values change): de-duplicated as in the parsed render
    'y{k="1"} 5\ny{k="2"} 6\ny{k="2",instance="x"} 7\n',
  ];
  for (const body of bodies) assert.deepEqual(dump(c.render(Buffer.from(body), TEXT)), cold(body, 'text'), body);
  // `_created` lines split off in text output, then replayed with other values
  const z = new SourceRenderCache(target, 'text');
  for (const v of ['1', '2.5', '30']) {
    const body = `y{k="2"} ${v}\ny{k="2",instance="x"} ${v}\n# TYPE z counter\nz_total ${v}\nz_created 170000000${v.length}\n`;
    assert.deepEqual(dump(z.render(Buffer.from(body), TEXT)), cold(body, 'text'), body);
    assert.equal(z.lastHits, v === '1' ? 0 : 4);
  }
});

test('render cache: a failed render keeps the last good state; OpenMetrics bodies take the plain path', () => {
  const c = new SourceRenderCache(target, 'text');
  const good = '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2\n';
  c.render(Buffer.from(good), TEXT);
  assert.throws(() => c.render(Buffer.from('# TYPE a gauge\na{x="1"} 1\nnew{y="1"} 1\nnew{y="2"} 2\nbroken{ 1\n'), TEXT), {
    code: 'EXPOSITION_SYNTAX',
  });
  assert.equal(c.size, 2, 'the failed render’s new series are forgotten');
  assert.deepEqual(dump(c.render(Buffer.from(good), TEXT)), cold(good, 'text'));
  assert.equal(c.lastHits, 2);
  const om = '# TYPE a counter\na_total{x="1"} 1 # {trace_id="t"} 1\n# EOF\n';
  const omType = 'application/openmetrics-text; version=1.0.0';
  for (const format of ['text', 'openmetrics'] as const) {
    const oc = new SourceRenderCache(target, format);
    assert.deepEqual(dump(oc.render(Buffer.from(om), omType)), cold(om, format, omType));
  }
});

test('render cache: memory is bounded by the series of the last good render', () => {
  const c = new SourceRenderCache(target, 'text');
  for (let round = 0; round < 200; round++) {
    let body = '';
    for (let i = 0; i < 100; i++) body += `churn{id="${round}-${i}",pad="${'p'.repeat(50)}"} ${i}\n`;
    assert.deepEqual(dump(c.render(Buffer.from(body), TEXT)), cold(body, 'text'));
    assert.equal(c.size, 100);
  }
  assert.ok(c.arenaBytes < 100 * 1024, `key arena ${c.arenaBytes} bytes`);
});

test('render caches: one per source, least recently used dropped past the series bound or when idle', () => {
  let now = 0;
  const caches = new RenderCaches(5, 1000, () => now);
  const body = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `m{i="${i}"} 1\n`).join(''));
  caches.render('http://a/metrics', body(2), TEXT, target, 'text');
  caches.render('http://b/metrics', body(2), TEXT, target, 'text');
  assert.deepEqual([caches.sources, caches.series], [2, 4]);
  caches.render('http://a/metrics', body(2), TEXT, target, 'text'); // a is now the most recent
  caches.render('http://c/metrics', body(2), TEXT, target, 'text'); // 6 > 5: b goes
  assert.deepEqual([caches.sources, caches.series], [2, 4]);
  caches.render('http://a/metrics', body(2), TEXT, target, 'openmetrics'); // another format: another cache
  assert.deepEqual([caches.sources, caches.series], [2, 4]);
  now = 5000;
  caches.render('http://d/metrics', body(1), TEXT, target, 'text'); // the others idled out
  assert.deepEqual([caches.sources, caches.series], [1, 1]);
});

test('worker renderer with source keys: cached renders on the pinned worker match in-process renders', async () => {
  const { WorkerRenderer, inlineRenderer } = await import('./renderer.js');
  const pool = new WorkerRenderer(2);
  try {
    for (let round = 0; round < 3; round++) {
      const jobs = Array.from({ length: 6 }, async (_, k) => {
        const body = Buffer.from(`# TYPE m counter\nm{k="${k}"} ${round}\nm{k="x"} ${k}\n`);
        const key = `http://127.0.0.1:${1000 + k}/metrics`;
        const [w, i] = await Promise.all([
          pool.render(Buffer.from(body), TEXT, target, 'openmetrics', key),
          inlineRenderer.render(body, TEXT, target, 'openmetrics'),
        ]);
        assert.deepEqual(dump(w), dump(i));
      });
      await Promise.all(jobs);
    }
    await assert.rejects(pool.render(Buffer.from('a{ 1\n'), null, target, 'text', 'http://x/m'), { code: 'EXPOSITION_SYNTAX' });
  } finally {
    await pool.close();
  }
});

test('render cache: bodies whose values change (and change length) render as cold renders, without a parse', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    const c = new SourceRenderCache(target, format);
    const values = ['1', '22.5', '1234567', '-0.00001', 'NaN', '1e+100', '007', '1.50', '+Inf', '3.3e-2'];
    for (let round = 0; round < 12; round++) {
      const v = (k: number) => values[(round + k) % values.length] as string;
      const ts = round % 3 === 0 ? ' 1700000000123' : round % 3 === 1 ? '  -05' : '';
      const body = [
        '# HELP a_total The a.',
        '# TYPE a_total counter',
        `a_total{x="1"} ${v(0)}`,
        `a_total{x="2"}\t${v(1)}${ts}`,
        '',
        '# a comment',
        `b ${v(2)}`,
        '# TYPE h histogram',
        `h_bucket{le="1"} ${v(3)}`,
        `h_bucket{le="+Inf"} ${v(4)}`,
        `h_sum ${v(5)}`,
        `h_count ${v(6)}${ts}`,
        `a_total{x="3"} ${v(7)}`,
        '',
      ].join('\n');
      assert.deepEqual(dump(c.render(Buffer.from(body), TEXT)), cold(body, format), `${format} round ${round}: ${body}`);
      assert.equal(c.lastHits, round === 0 ? 0 : 8);
    }
  }
});

test('render cache: a body that differs in more than values is parsed (and fails as a cold parse does)', () => {
  const base = '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B.\nb 3\n';
  const variants = [
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B!\nb 3\n', // HELP text
    '# TYPE a gauge\na{x="1"} 1\na{x="3"} 2 17\n# HELP b B.\nb 3\n', // a label value
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B.\nb 3\nc 4\n', // a line more
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B.\n', // a line less
    '# TYPE a gauge\na{x="1"} 1\n a{x="2"} 2 17\n# HELP b B.\nb 3\n', // leading blank
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2\n# HELP b B.\nb 3\n', // timestamp gone
    '# TYPE a gauge\na{x="1"} 1 5\na{x="2"} 2 17\n# HELP b B.\nb 3\n', // timestamp added
  ];
  const broken = [
    '# TYPE a gauge\na{x="1"} one\na{x="2"} 2 17\n# HELP b B.\nb 3\n',
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 1.5\n# HELP b B.\nb 3\n',
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17 x\n# HELP b B.\nb 3\n',
    '# TYPE a gauge\na{x="1"} 1 \na{x="2"} 2 17\n# HELP b B.\nb 3\n',
    '# TYPE a gauge\na{x="1"} 1\r\na{x="2"} 2 17\n# HELP b B.\nb 3\n',
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B.\nb 3',
    '# TYPE a gauge\na{x="1"} 1\na{x="2"} 2 17\n# HELP b B.\nb 1e400\n',
  ];
  for (const format of ['text', 'openmetrics'] as const) {
    for (const v of variants) {
      const c = new SourceRenderCache(target, format);
      c.render(Buffer.from(base), TEXT);
      assert.deepEqual(dump(c.render(Buffer.from(v), TEXT)), cold(v, format), v);
      assert.deepEqual(dump(c.render(Buffer.from(base), TEXT)), cold(base, format), `back to the base after ${v}`);
    }
    for (const b of broken) {
      const c = new SourceRenderCache(target, format);
      c.render(Buffer.from(base), TEXT);
      let want: unknown;
      try {
        cold(b, format);
      } catch (err) {
        want = err;
      }
      assert.ok(want instanceof Error, b);
      assert.throws(
        () => c.render(Buffer.from(b), TEXT),
        (err: Error) => err.message === (want as Error).message,
        b,
      );
      assert.deepEqual(dump(c.render(Buffer.from(base), TEXT)), cold(base, format));
      assert.equal(c.lastHits, 3, 'the good state survived');
    }
  }
});

test('worker renderer: lines in a pooled buffer stay intact until released, and the buffer is then reused', async () => {
  const { WorkerRenderer } = await import('./renderer.js');
  const pool = new WorkerRenderer(1);
  try {
    const key = 'http://127.0.0.1:1000/metrics';
    const body = (v: number) => [Buffer.from('# TYPE m gauge\n'), Buffer.from(`m{k="a"} ${v}\nm{k="b"} ${v + 1}\n`)];
    const text = (r: RenderedSource) => r.families.map((f) => f.lines.toString()).join('');
    const want = (v: number) => `m{k="a",${suffix}} ${v}\nm{k="b",${suffix}} ${v + 1}\n`;
    const suffix = 'app_id="g",index="0",instance="127.0.0.1:1"';
    const held: RenderedSource[] = [];
    for (let v = 0; v < 6; v++) held.push(await pool.render(body(v), TEXT, target, 'text', key));
    for (let v = 0; v < 6; v++) {
      assert.equal(text(held[v] as RenderedSource), want(v), `render ${v} intact while held`);
      assert.ok(held[v]?.release, 'pooled');
    }
    const buffers = new Set(held.map((r) => r.families[0]?.lines.buffer));
    assert.equal(buffers.size, 6, 'no buffer is shared by two held renders');
    (held[2] as RenderedSource).release?.();
    (held[2] as RenderedSource).release?.(); // twice is once
    const again = await pool.render(body(10), TEXT, target, 'text', key);
    assert.equal(again.families[0]?.lines.buffer, held[2]?.families[0]?.lines.buffer, 'the released buffer is reused');
    assert.equal(text(again), want(10));
    for (const v of [0, 1, 3, 4, 5]) assert.equal(text(held[v] as RenderedSource), want(v), `render ${v} still intact`);
  } finally {
    await pool.close();
  }
});

test('worker renderer: family names, types and HELP are right when they change between renders of a source', async () => {
  const { WorkerRenderer, inlineRenderer } = await import('./renderer.js');
  const pool = new WorkerRenderer(1);
  try {
    const key = 'http://127.0.0.1:1001/metrics';
    const bodies = [
      '# HELP a A.\n# TYPE a gauge\na 1\n',
      '# HELP a A.\n# TYPE a gauge\na 2\n',
      '# HELP a A changed.\n# TYPE a gauge\na 3\n',
      '# HELP a A changed.\n# TYPE a counter\na 4\nb 5\n',
      '# HELP a A changed.\n# TYPE a counter\na 4\nb 5\n',
      'b 6\n',
    ];
    for (const b of bodies) {
      const [w, i] = await Promise.all([
        pool.render([Buffer.from(b)], TEXT, target, 'text', key),
        inlineRenderer.render(Buffer.from(b), TEXT, target, 'text'),
      ]);
      assert.deepEqual(dump(w), dump(i), b);
      w.release?.();
    }
  } finally {
    await pool.close();
  }
});

test('render cache: any sequence of bodies through one cache renders each as a cold render would', () => {
  const bodies = [
    '# TYPE x counter\nx 1\n',
    '# TYPE z counter\nz_total 1\nz_created 1700000000\n',
    '# TYPE z counter\nz_total 2\nz_created 1700000000\n',
    '# TYPE a counter\na{x="1"} 1\na{x="2"} 2\nb 3\nb 3\n',
    'a{instance="spoof"} 1\na{instance="other"} 2\nc_created 3\n',
    '# TYPE lat histogram\nlat_bucket{le="1"} 1\nlat_bucket{le="+Inf"} 2\nlat_sum 0.5\nlat_count 2\n',
    RICH,
    RICH.replace('lat_sum 0.25', 'lat_sum 0.75'),
  ];
  // A fixed pseudo-random walk over the bodies: every body follows every other one many times.
  const rng = seededRandom(7);
  for (const format of ['text', 'openmetrics'] as const) {
    const c = new SourceRenderCache(target, format);
    let prev = -1;
    for (let k = 0; k < 300; k++) {
      const i = Math.floor(rng.next() * bodies.length); // high bits: an LCG's low bits cycle
      const body = bodies[i] as string;
      assert.deepEqual(dump(c.render(Buffer.from(body), TEXT)), cold(body, format), `${format}: body ${i} after body ${prev}`);
      prev = i;
    }
  }
});

test('render cache: OpenMetrics bodies, every type, through one cache render as cold renders would', () => {
  const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
  // Exemplars stripped: OpenMetrics output keeps them, so a body with one takes the plain path.
  const base = OPENMETRICS_EVERY_TYPE.map((l) => l.replace(/ # \{.*$/, ''));
  const om = (lines: string[]) => `${lines.join('\n')}\n# EOF\n`;
  const bodies = [
    om(base),
    om(base.map((l) => l.replace('} 10', '} 11').replace('21.5', '22').replace('lat_sum{path="/"} 1.25', 'lat_sum{path="/"} 1.5'))),
    om(base.map((l) => (l === 'req_total{code="500"} 1' ? 'req_total{code="500"} 2 1700000000.5' : l))),
    om(
      base.map((l) => (l === 'lat_bucket{path="/",le="+Inf"} 3' ? 'lat_bucket{path="/",le="+Inf"} 3 # {trace_id="t1"} 0.5 1700000000' : l)),
    ),
    om(base.filter((l) => !l.startsWith('state'))),
    om([...base.slice(0, 5), 'req_total{code="404"} 3', ...base.slice(5)]),
    om(base.map((l) => l.replaceAll('celsius', 'kelvin'))),
  ];
  const rng = seededRandom(10); // a seed whose walk has every body follow every other one
  for (const format of ['text', 'openmetrics'] as const) {
    const c = new SourceRenderCache(target, format);
    let hits = 0;
    for (let k = 0; k < 200; k++) {
      const i = Math.floor(rng.next() * bodies.length); // high bits: an LCG's low bits cycle
      const body = bodies[i] as string;
      assert.deepEqual(dump(c.render(Buffer.from(body), OM)), cold(body, format, OM), `${format}: body ${i}`);
      hits += c.lastHits;
    }
    assert.ok(hits > 1000, `${format}: series from the cache: ${hits}`);
  }
  // A text body after OpenMetrics ones: the cache starts again, and renders it as a cold render.
  const c = new SourceRenderCache(target, 'text');
  c.render(Buffer.from(bodies[0] as string), OM);
  const text = '# TYPE temp_celsius gauge\ntemp_celsius{room="a"} 21.5\n';
  assert.deepEqual(dump(c.render(Buffer.from(text), TEXT)), cold(text, 'text'));
});
