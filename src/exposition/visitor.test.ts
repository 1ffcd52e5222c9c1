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

test('the key hash the parser computes on the way equals keyHashBytes of the key', async () => {
  const { keyHashBytes } = await import('./key-hash.js');
  const seen: Array<[string, number]> = [];
  const v: SampleVisitor = {
    known: (key) => {
      seen.push([text(key), key.hash]);
      return false;
    },
    sample: () => {},
  };
  parseExposition(Buffer.from('a 1\nb {x="1"} 2\nc{x="q\\"}\\\\",y="日本"} 3\nd{} 4\n'), { format: 'text', visitor: v });
  assert.equal(seen.length, 4);
  for (const [key, h] of seen) {
    const b = Buffer.from(key, 'latin1');
    assert.equal(h, keyHashBytes(viewOf(b), 0, b.length), key);
  }
});

test('the key hash depends on the key bytes only, not on where they sit in a buffer', async () => {
  const { keyHashBytes } = await import('./key-hash.js');
  const key = Buffer.from('http_requests_total{code="200",method="GET"}', 'latin1');
  const alone = keyHashBytes(viewOf(key), 0, key.length);
  for (let at = 0; at < 9; at++) {
    const big = Buffer.alloc(at + key.length + 7, 0x7a);
    key.copy(big, at);
    // A view of a slice starts at its byteOffset: positions are the slice's own.
    const slice = big.subarray(1);
    assert.equal(keyHashBytes(viewOf(big), at, at + key.length), alone, `at ${at}`);
    if (at > 0) assert.equal(keyHashBytes(viewOf(slice), at - 1, at - 1 + key.length), alone, `slice at ${at}`);
  }
  // Every tail length (0-3 bytes after the last whole word) changes the hash.
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
