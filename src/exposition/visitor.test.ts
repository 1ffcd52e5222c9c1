import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { conformanceCorpus } from '../testing/conformance-corpus.js';
import { viewOf } from './bytes.js';
import { readFloat } from './number.js';
import { parseExposition } from './parse.js';
import { CachedSeries, SeriesKeyCache } from './series-key-cache.js';
import type { Labels, MetricFamily, SampleVisitor, SeriesKey, TimestampMs } from './types.js';

const text = (key: SeriesKey): string => key.buf.toString('latin1', key.start, key.end);

interface Seen {
  key: string;
  family: string;
  type: string;
  name: string;
  labels: Labels;
  value: number;
  ts: TimestampMs | null;
}

/** A visitor with a key cache, as the scrape loop uses it. */
class CachingVisitor implements SampleVisitor {
  readonly cache = new Map<string, { name: string; labels: Labels; type: string; family: MetricFamily }>();
  seen: Seen[] = [];
  hits = 0;
  known(k: SeriesKey, family: MetricFamily, value: number, ts: TimestampMs | null): boolean {
    const key = text(k);
    const e = this.cache.get(key);
    if (e === undefined || e.type !== family.type || e.family.name !== family.name) return false;
    this.hits++;
    this.seen.push({ key, family: family.name, type: family.type, name: e.name, labels: e.labels, value, ts });
    return true;
  }
  sample(k: SeriesKey, family: MetricFamily, name: string, labels: Labels, value: number, ts: TimestampMs | null): void {
    const key = text(k);
    const own = labels.slice(); // lent for this call only
    this.cache.set(key, { name, labels: own, type: family.type, family });
    this.seen.push({ key, family: family.name, type: family.type, name, labels: own, value, ts });
  }
}

const { dir, skip } = conformanceCorpus();
const corpus = `${dir}/prometheus/`;
const files = [
  'prometheus-textparse/alltypes.237mfs.prom.txt',
  'common-expfmt/testdata/text',
  'prometheus-textparse-historic/promtestdata.txt',
];

for (const f of files) {
  test(`visitor sees exactly the parsed samples, and known keys skip label parsing: ${f}`, { skip }, () => {
    const body = readFileSync(corpus + f);
    const fams = parseExposition(body, { format: 'text' });
    const want = fams.flatMap((fam) =>
      fam.samples.map((s) => ({ family: fam.name, type: fam.type, name: s.name, labels: s.labels, value: s.value, ts: s.timestampMs })),
    );
    const v = new CachingVisitor();
    parseExposition(body, { format: 'text', visitor: v });
    // Families may be re-entered, so compare as multisets in the order families list them.
    const strip = (x: Seen[]) => x.map(({ key: _k, ...r }) => r);
    const order = (x: ReturnType<typeof strip>) => [...x].sort((a, b) => a.family.localeCompare(b.family));
    assert.deepEqual(order(strip(v.seen)), order(want));
    assert.equal(v.hits, 0);
    v.seen = [];
    parseExposition(body, { format: 'text', visitor: v });
    assert.equal(v.hits, want.length, 'second pass: every series is a cache hit');
    assert.deepEqual(order(strip(v.seen)), order(want));
  });
}

test('a known key in a family whose type changed is parsed again', () => {
  const v = new CachingVisitor();
  parseExposition(Buffer.from('# TYPE m counter\nm{a="1"} 1\n'), { format: 'text', visitor: v });
  parseExposition(Buffer.from('# TYPE m gauge\nm{a="1"} 2\n'), { format: 'text', visitor: v });
  assert.equal(v.hits, 0);
  assert.equal(v.seen[1]?.type, 'gauge');
});

test('visitor mode reports the same errors for malformed label sets', () => {
  const v = new CachingVisitor();
  assert.throws(() => parseExposition(Buffer.from('m{a="1" 2\n'), { format: 'text', visitor: v }), /line 1, col \d+: /);
  assert.throws(() => parseExposition(Buffer.from('m{a=1} 2\n'), { format: 'text', visitor: v }), /expected '"' at start of label value/);
});

/** Every key a parser hands to a visitor, with the hash it computed. */
function keyHashesOf(body: string, format: 'text' | 'openmetrics'): Array<[string, number]> {
  const seen: Array<[string, number]> = [];
  const v: SampleVisitor = {
    known: (key) => {
      seen.push([text(key), key.hash]);
      return false;
    },
    sample: (key) => {
      // The OpenMetrics parser hands new series straight to `sample`; the text parser asked `known` first.
      if (format === 'openmetrics') seen.push([text(key), key.hash]);
    },
  };
  parseExposition(Buffer.from(body), { format, visitor: v });
  return seen;
}

test('the key hash the parser computes on the way equals keyHash of the key', async () => {
  const { keyHash } = await import('./key-hash.js');
  const body = 'a 1\nb {x="1"} 2\nc{x="q\\"}\\\\",y="\u00e9"} 3\nd{} 4\ne{x="1",yy="22"} 5\n';
  const seen = keyHashesOf(body, 'text');
  assert.equal(seen.length, 5);
  for (const [key, h] of seen) {
    const b = Buffer.from(key, 'latin1');
    assert.equal(h, keyHash(b, 0, b.length), key);
  }
});

test('a plain key gets the same hash from the fast path and from the exact parser, in both formats', async () => {
  const { keyHash, keyHashBytes } = await import('./key-hash.js');
  const lines = ['m 1', 'm{a="1"} 2', 'm{a="1",b="x y"} 3', 'm{a="1",b="x z"} 4', 'n_total{le="+Inf",a=""} 5', 'o{a="1",b="2",c="3"} 6'];
  const plain = lines.map((l) => `${l}\n`).join('');
  // A non-ASCII byte in a comment turns the fast path off for the whole body: every line then
  // takes the exact parser.
  const exact = `# HELP m caf\u00e9\n${plain}`;
  const om = (b: string): string => `${b}# EOF\n`;
  const runs = [
    keyHashesOf(plain, 'text'),
    keyHashesOf(exact, 'text'),
    keyHashesOf(om(plain), 'openmetrics'),
    keyHashesOf(om(exact), 'openmetrics'),
  ];
  for (const seen of runs) {
    assert.deepEqual(
      seen.map(([k]) => k),
      lines.map((l) => l.slice(0, l.lastIndexOf(' '))),
    );
    for (const [key, h] of seen) {
      const b = Buffer.from(key, 'latin1');
      assert.equal(h, keyHash(b, 0, b.length), key);
      // Plain keys are hashed from their tokens, not from their bytes.
      assert.notEqual(h, keyHashBytes(viewOf(b), 0, b.length), key);
    }
  }
  // Series that differ in one token differ in hash (one collision here would be a broken fold).
  assert.equal(new Set(runs[0]?.map(([, h]) => h)).size, lines.length);
});

test('fast-path key hashes equal keyHash over random label sets whose lines share prefixes', async () => {
  const { keyHash } = await import('./key-hash.js');
  const { seededRandom } = await import('../testing/seeded-random.js');
  const rng = seededRandom(9);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  const names = ['m', 'm_bucket', 'http_requests_total', 'x'];
  const labelNames = ['a', 'b', 'le', 'quantile', 'instance_id', 'zone'];
  const values = ['', '1', '2', '10', 'GET', 'POST', '+Inf', '0.5', 'x y', 'eu-west-1'];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    // Runs of one name and label set with only later values changing, as histograms expose them.
    const base = lines.length > 0 && rng.next() < 0.6 ? (lines[lines.length - 1] as string) : null;
    if (base?.includes('{') && rng.next() < 0.8) {
      const at = base.lastIndexOf('="');
      lines.push(`${base.slice(0, at + 2)}${pick(values)}"}`);
      continue;
    }
    const count = Math.floor(rng.next() * 4);
    const used = new Set<string>();
    const pairs: string[] = [];
    for (let k = 0; k < count; k++) {
      const n = pick(labelNames);
      if (used.has(n)) continue;
      used.add(n);
      pairs.push(`${n}="${pick(values)}"`);
    }
    lines.push(pairs.length > 0 ? `${pick(names)}{${pairs.join(',')}}` : pick(names));
  }
  const body = lines.map((l, i) => `${l} ${i}\n`).join('');
  // Text only: OpenMetrics forbids a family's lines apart; its fast path is the same FastLine.
  const seen = keyHashesOf(body, 'text');
  assert.equal(seen.length, lines.length);
  for (const [key, h] of seen) {
    const b = Buffer.from(key, 'latin1');
    assert.equal(h, keyHash(b, 0, b.length), key);
  }
});

test('keys that are not plain are hashed from their bytes', async () => {
  const { keyHash, keyHashBytes } = await import('./key-hash.js');
  for (const key of ['m {a="1"}', 'm{a="1",}', 'm{a="\\n"}', 'm{}', 'm{"a"="1"}', '{"m.x"}', 'm{a="1"}x', 'm{a="1"']) {
    const b = Buffer.from(key, 'latin1');
    assert.equal(keyHash(b, 0, b.length), keyHashBytes(viewOf(b), 0, b.length), key);
  }
});

test('the key hash depends on the key bytes only, not on where they sit in a buffer', async () => {
  const { keyHash, keyHashBytes } = await import('./key-hash.js');
  for (const text of ['http_requests_total{code="200",method="GET"}', 'http_requests_total {code="200"}']) {
    const key = Buffer.from(text, 'latin1');
    const alone = keyHash(key, 0, key.length);
    const bytes = keyHashBytes(viewOf(key), 0, key.length);
    for (let at = 0; at < 9; at++) {
      const big = Buffer.alloc(at + key.length + 7, 0x7a);
      key.copy(big, at);
      // A view of a slice starts at its byteOffset: positions are the slice's own.
      const slice = big.subarray(1);
      assert.equal(keyHash(big, at, at + key.length), alone, `at ${at}`);
      assert.equal(keyHashBytes(viewOf(big), at, at + key.length), bytes, `at ${at}`);
      if (at > 0) {
        assert.equal(keyHash(slice, at - 1, at - 1 + key.length), alone, `slice at ${at}`);
        assert.equal(keyHashBytes(viewOf(slice), at - 1, at - 1 + key.length), bytes, `slice at ${at}`);
      }
    }
  }
  // Every tail length (0-3 bytes after the last whole word) changes the byte hash.
  const key = Buffer.from('http_requests_total{code="200",method="GET"}', 'latin1');
  const hashes = new Set<number>();
  for (let n = 0; n <= 8; n++) hashes.add(keyHashBytes(viewOf(key), 0, n));
  assert.equal(hashes.size, 9);
});

test('predicted lines read every value form exactly as readFloat does', () => {
  const values = ['0', '7', '00012', '123456789012345', '1234567890123456', '9007199254740993', '12.5', '0.1', '0.000001'];
  values.push('123456.7890123', '1234567.89012345', '1.', '.5', '1e3', '-1', '+2.5', '+Inf', 'NaN', '1.7976931348623157e308');
  for (const v of values) {
    const cache = new SeriesKeyCache<CachedSeries>();
    let got: number | null = null;
    let viaPrediction = 0;
    const visitor: SampleVisitor = {
      predict: (buf, start, end) => cache.predict(buf, start, end),
      predicted: (value) => {
        viaPrediction++;
        got = value;
      },
      known: () => false,
      sample: (key, family, name, _labels, value) => {
        cache.add(new CachedSeries(name, family.name, family.type, cache.iteration), key);
        got = value;
      },
    };
    for (let pass = 0; pass < 2; pass++) {
      cache.begin();
      parseExposition(Buffer.from(`# TYPE m gauge\nm{a="1"} ${v}\n`), { format: 'text', visitor });
      cache.commit();
    }
    assert.equal(viaPrediction, 1, `${v}: the second pass predicted the line`);
    const b = Buffer.from(v);
    assert.ok(Object.is(got, readFloat(b, 0, b.length)), `${v}: ${got}`);
  }
});
