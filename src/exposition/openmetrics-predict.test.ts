import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPENMETRICS_EVERY_TYPE } from '../testing/openmetrics-every-type.js';
import { seededRandom } from '../testing/seeded-random.js';
import { CommentKind } from './comment-memo.js';
import { ExpositionStreamParser } from './parse.js';
import { CachedSeries, SeriesKeyCache } from './series-key-cache.js';
import type { Labels, MetricFamily, MetricType, PredictedSeries, SampleVisitor, SeriesKey, TimestampMs } from './types.js';

type Got = Array<[string, string, number | null, TimestampMs | null]>;
type Outcome = { got: Got; families: string[] } | { error: string };

class Entry extends CachedSeries {
  constructor(
    name: string,
    family: string,
    type: MetricType,
    pass: number,
    readonly labels: string,
  ) {
    super(name, family, type, pass);
  }
}

/**
 * The scrape engine's use of an OpenMetrics parse, reduced: a series cache that predicts lines,
 * with its memo of metadata lines.
 */
class PredictingVisitor implements SampleVisitor {
  readonly cache = new SeriesKeyCache<Entry>();
  readonly comments = this.cache.comments;
  got: Got = [];
  predictedLines = 0;
  /** Lines `predict` matched, whether or not the parser went on to accept them. */
  hits = 0;
  private pending: Entry | null = null;

  predict(buf: Buffer, start: number, end: number): Entry | null {
    this.pending = this.cache.predict(buf, start, end);
    if (this.pending !== null) this.hits++;
    return this.pending;
  }

  predicted(value: number, ts: TimestampMs | null): void {
    const e = this.pending as Entry;
    this.predictedLines++;
    if (this.cache.touch(e)) this.got.push([e.name, e.labels, value, ts]);
  }

  keyOf(series: PredictedSeries, out: SeriesKey): void {
    this.cache.keyOf(series as Entry, out);
  }

  known(): boolean {
    throw new Error('an OpenMetrics parse never asks');
  }

  sample(key: SeriesKey, family: MetricFamily, name: string, labels: Labels, value: number, ts: TimestampMs | null): void {
    const e = this.cache.get(key);
    if (e !== undefined && e.type === family.type && e.family === family.name) {
      if (this.cache.touch(e)) this.got.push([e.name, e.labels, value, ts]);
      return;
    }
    const added = new Entry(name, family.name, family.type, this.cache.iteration, JSON.stringify(labels));
    this.cache.add(added, key);
    this.got.push([name, added.labels, value, ts]);
  }
}

/** The same parse with no prediction: every line read in full; a series once per pass, as the cache keeps it. */
function reference(body: string, chunk: number): Outcome {
  const got: Got = [];
  const seen = new Set<string>();
  const visitor: SampleVisitor = {
    known: () => false,
    sample(key, _family, name, labels, value, ts) {
      const k = key.buf.toString('latin1', key.start, key.end);
      if (seen.has(k)) return;
      seen.add(k);
      got.push([name, JSON.stringify(labels), value, ts]);
    },
  };
  try {
    const families = parseInChunks(body, chunk, visitor);
    return { got, families };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Parses in chunks of `chunk` bytes; returns each family's metadata. */
function parseInChunks(body: string, chunk: number, visitor: SampleVisitor): string[] {
  const buf = Buffer.from(body);
  const p = new ExpositionStreamParser({ format: 'openmetrics', visitor });
  for (let o = 0; o < buf.length; o += chunk) p.push(Buffer.from(buf.subarray(o, Math.min(buf.length, o + chunk))));
  return p.end().map((f) => `${f.name} ${f.type} ${f.unit} ${f.help}`);
}

/** Parses with the predicting cache (begin, then commit or rollback) and without; both must agree. */
function both(v: PredictingVisitor, body: string, chunk = 1 << 16): Outcome {
  v.cache.begin();
  v.got = [];
  let out: Outcome;
  try {
    const families = parseInChunks(body, chunk, v);
    v.cache.commit();
    out = { got: v.got, families };
  } catch (err) {
    v.cache.rollback();
    out = { error: (err as Error).message };
  }
  assert.deepEqual(out, reference(body, chunk), body);
  return out;
}

const BASE = OPENMETRICS_EVERY_TYPE;
const END = '# EOF';

const VALUES = [
  '0',
  '1',
  '-1',
  '1.5',
  '2.25',
  'NaN',
  '+Inf',
  '-Inf',
  '1e3',
  '7 1.7e9',
  '7 1.6e9',
  '3 # {a="b"} 1',
  '12345678901234567890',
  'x',
  '',
];

test('an unchanged body is read from predictions alone, with the results of a full parse', () => {
  const v = new PredictingVisitor();
  const body = `${[...BASE, END].join('\n')}\n`;
  both(v, body);
  assert.equal(v.predictedLines, 0);
  const samples = BASE.filter((l) => !l.startsWith('#')).length;
  both(v, body);
  assert.equal(v.predictedLines, samples - 2, 'all but the two families without metadata');
  assert.equal(v.comments.size, BASE.filter((l) => l.startsWith('#')).length, 'every metadata line remembered');
  both(v, body.replace('21.5', '22').replace('} 3\n', '} 4\n'));
});

test('value rules hold on predicted lines, with the line and column of a full parse', () => {
  const v = new PredictingVisitor();
  const body = `${[...BASE, END].join('\n')}\n`;
  both(v, body);
  const cases: Array<[string, string, RegExp]> = [
    ['req_total{code="200"} 10', 'req_total{code="200"} -1', /line 3, col 1: _total values cannot be negative/],
    ['lat_count{path="/"} 3', 'lat_count{path="/"} 3.5', /line 15, col 1: _count values must be integers/],
    ['lat_bucket{path="/",le="+Inf"} 3', 'lat_bucket{path="/",le="+Inf"} NaN', /line 14, col 1: bucket values must be integers/],
    ['state{state="on"} 1', 'state{state="on"} 2', /stateset values must be 0 or 1/],
    ['build_info{version="1.2"} 1', 'build_info{version="1.2"} 0', /info values must be 1/],
    ['q{quantile="0.5"} 0.1', 'q{quantile="0.5"} -0.1', /quantile values cannot be negative/],
    ['gh_gsum -4', 'gh_gsum NaN', /_gsum values cannot be NaN/],
    ['temp_celsius{room="a"} 21.5', 'temp_celsius{room="a"} 21.5 # {a="b"} 1', /line 8, col 1: only histogram buckets/],
    [
      'lat_bucket{path="/",le="1"} 2 # {trace_id="b2"} 0.5',
      'lat_bucket{path="/",le="1"} 2 # {trace_id="b2" 0.5',
      /line 13, col \d+: expected "," or "}"/,
    ],
  ];
  for (const [from, to, re] of cases) {
    v.hits = 0;
    const out = both(v, body.replace(from, to));
    assert.match('error' in out ? out.error : '(no error)', re, to);
    assert.ok(v.hits > 0);
  }
  both(v, body);
});

test('group rules hold when a predicted run meets a line that is not predicted', () => {
  const v = new PredictingVisitor();
  const body = `${[...BASE, END].join('\n')}\n`;
  both(v, body);
  // A series of an earlier metric point after a new one: the earlier lines were predicted.
  const split = both(
    v,
    body.replace('lat_sum{path="/"} 1.25\n', 'lat_sum{path="/"} 1.25\nlat_bucket{path="/y",le="+Inf"} 1\nlat_count{path="/"} 3\n'),
  );
  assert.match('error' in split ? split.error : '', /grouped together/);
  // The same series twice: the second is not predicted, and dropped as a duplicate.
  both(v, body.replace('temp_celsius{room="b"} -3\n', 'temp_celsius{room="b"} -3\ntemp_celsius{room="b"} -3\n'));
  // A timestamp on one sample of a point: the full path, against predicted lines of the point.
  const ts = both(v, body.replace('lat_count{path="/"} 3\n', 'lat_count{path="/"} 3 1.7e9\n'));
  assert.match('error' in ts ? ts.error : '', /timestamps and others not/);
  both(v, body);
});

test("metadata after a family's samples is an error with a visitor too", () => {
  const v = new PredictingVisitor();
  const body = `${[...BASE, END].join('\n')}\n`;
  both(v, body);
  const out = both(
    v,
    body.replace('# TYPE lat histogram\n', '').replace('lat_sum{path="/x"} 9\n', 'lat_sum{path="/x"} 9\n# TYPE lat histogram\n'),
  );
  assert.ok('error' in out);
});

test('randomly edited bodies parse exactly as without prediction, through commits, rollbacks and chunking', () => {
  const rnd = seededRandom(2026);
  const v = new PredictingVisitor();
  let lines = [...BASE];
  let failures = 0;
  let predicted = 0;
  for (let round = 0; round < 1500; round++) {
    const next = [...lines];
    const at = rnd.below(next.length);
    const line = next[at] as string;
    switch (rnd.below(10)) {
      case 0: // swap two lines
        [next[at], next[(at + 1) % next.length]] = [next[(at + 1) % next.length] as string, line];
        break;
      case 1: // duplicate a line
        next.splice(at, 0, line);
        break;
      case 2: // drop a line
        if (next.length > 6) next.splice(at, 1);
        break;
      case 3: // another value, timestamp or exemplar
      case 4:
        if (!line.startsWith('#')) {
          const key = line.slice(0, line.lastIndexOf('}') + 1 || line.indexOf(' '));
          next[at] = `${key} ${VALUES[rnd.below(VALUES.length)]}`;
        }
        break;
      case 5: // another label value: a new series, maybe of another metric point
        next.splice(at, 0, line.replace(/="([^"]*)"/, `="$1${rnd.below(3)}"`));
        break;
      case 6: // move a line elsewhere
        next.splice(at, 1);
        next.splice(rnd.below(next.length), 0, line);
        break;
      case 7: // a metadata line: another HELP or UNIT, a second or other TYPE, malformed
        next.splice(
          at,
          0,
          [
            '# HELP req Requests, again.',
            `# HELP temp_celsius v${rnd.below(3)}`,
            '# UNIT temp_celsius celsius',
            '# UNIT lat seconds',
            `# TYPE lat ${['histogram', 'gauge', 'summary'][rnd.below(3)]}`,
            '# TYPE up gauge',
            '# TYPE q nonsense',
            '#  HELP q x',
          ][rnd.below(8)] as string,
        );
        break;
      case 8: // back to the base body
        next.splice(0, next.length, ...BASE);
        break;
      default: // unchanged
    }
    v.predictedLines = 0;
    // Stretches of ASCII bodies (the fast line reads their new series) and of UTF-8 ones.
    const body = `${[...next, END].join('\n')}\n`.replace(/ü/g, Math.floor(round / 100) % 2 === 0 ? 'u' : 'ü');
    const out = both(v, body, rnd.below(3) === 0 ? 1 + rnd.below(200) : 1 << 16);
    predicted += v.predictedLines;
    if ('error' in out) failures++;
    else lines = next;
  }
  assert.ok(failures > 100 && failures < 1400, `a mix of good and bad bodies (${failures} failed)`);
  assert.ok(predicted > 10_000, `lines predicted: ${predicted}`);
});

test('a source that switches between text and OpenMetrics starts from an empty cache', () => {
  const cache = new SeriesKeyCache<Entry>();
  cache.begin();
  cache.setFormat('text');
  cache.add(new Entry('g', 'g', 'gauge', cache.iteration, '[]'), { buf: Buffer.from('g'), start: 0, end: 1, hash: 1 });
  cache.commit();
  cache.begin();
  cache.setFormat('text');
  assert.equal(cache.size, 1);
  cache.commit();
  cache.begin();
  cache.setFormat('openmetrics');
  assert.equal(cache.size, 0);
  // A body of comment lines only: no series, but the memo's lines must go too.
  cache.comments.record(Buffer.from('# HELP x'), 0, 8, CommentKind.FamilyOnly, 'x', null, null);
  cache.commit();
  assert.equal(cache.comments.size, 1);
  cache.begin();
  cache.setFormat('text');
  assert.equal(cache.comments.size, 0);
});
