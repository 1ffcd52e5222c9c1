import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition } from './parse.js';

const om = (s: string) => parseExposition(Buffer.from(s), { format: 'openmetrics' });

test('OpenMetrics: types, units, exemplars, created, float-second timestamps', () => {
  const fams = om(
    '# TYPE req_seconds counter\n# UNIT req_seconds seconds\n# HELP req_seconds Requests \\"x\\"\nreq_seconds_total{a="b"} 5 1.5 # {trace_id="abc"} 0.5 1.25\nreq_seconds_created 1.7e9\n# TYPE st stateset\nst{st="a"} 1\nst{st="b"} 0\n# EOF\n',
  );
  const req = fams[0];
  assert.equal(req?.type, 'counter');
  assert.equal(req?.unit, 'seconds');
  assert.equal(req?.help, 'Requests "x"');
  assert.deepEqual(req?.samples[0], {
    name: 'req_seconds_total',
    labels: ['a', 'b'],
    value: 5,
    timestampMs: 1500,
    exemplar: { labels: ['trace_id', 'abc'], value: 0.5, timestampMs: 1250 },
  });
  assert.equal(req?.samples[1]?.name, 'req_seconds_created');
  assert.equal(fams[1]?.type, 'stateset');
});

const errors: Array<[string, string, RegExp]> = [
  ['missing EOF', 'a 1\n', /missing "# EOF"/],
  ['text after EOF', '# EOF\na 1\n', /after "# EOF"/],
  ['blank line', 'a 1\n\n# EOF\n', /blank lines/],
  ['negative counter', '# TYPE a counter\na_total -1\n# EOF\n', /_total values cannot be negative/],
  ['bucket order', '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\n# EOF\n', /buckets out of order/],
  ['missing +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\n# EOF\n', /\+Inf bucket is missing/],
  ['exemplar on gauge', '# TYPE g gauge\ng 1 # {a="b"} 1\n# EOF\n', /can have exemplars/],
  ['untyped is not OpenMetrics', '# TYPE a untyped\n# EOF\n', /invalid metric type "untyped"/],
  ['interleaved families', 'a 1\nb 1\na 2\n# EOF\n', /must be contiguous|clashes/],
  ['two spaces', 'a  1\n# EOF\n', /expected a number as value, got ""/],
  // Common-looking lines the one-pass reader must hand back to the exact parser:
  ['two spaces after labels', 'a{b="1"}  1\n# EOF\n', /col 10: expected a number as value, got ""/],
  ['tab before the value', 'a{b="1"}\t1\n# EOF\n', /col 9: expected " " before the value/],
  ['trailing comma', 'a{b="1",} 1\n# EOF\n', /unexpected "," before "}"/],
  ['space after the value', 'a{b="1"} 1 \n# EOF\n', /expected a finite number of seconds as timestamp/],
  ['a word as timestamp', 'a{b="1"} 1 x\n# EOF\n', /timestamp/],
];
for (const [name, input, re] of errors) {
  test(`OpenMetrics error: ${name}`, () => {
    assert.throws(
      () => om(input),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'EXPOSITION_SYNTAX');
        assert.match(e.message, /^line \d+, col \d+: /);
        assert.match(e.message, re);
        return true;
      },
    );
  });
}

test('OpenMetrics metric points: label order does not matter; a point comes back only as an error', () => {
  const fams = om(
    '# TYPE h histogram\nh_bucket{a="1",b="2",le="1"} 1\nh_bucket{b="2",a="1",le="+Inf"} 1\nh_count{b="2",a="1"} 1\nh_sum{a="1",b="2"} 1\n# TYPE g gauge\ng{a="1"} 1\ng{a="1"} 1\n# EOF\n',
  );
  assert.equal(fams[0]?.samples.length, 4);
  assert.equal(fams[1]?.samples.length, 1, 'the same sample twice at one timestamp is kept once');
  assert.throws(
    () => om('# TYPE g gauge\ng{a="1",b="2"} 1\ng{a="2",b="2"} 1\ng{b="2",a="1"} 1\n# EOF\n'),
    /line 4, col 1: samples of one metric/,
  );
  assert.throws(
    () => om('# TYPE h histogram\nh_bucket{a="1",le="+Inf"} 1\nh_bucket{a="2",le="+Inf"} 1\nh_count{a="1"} 1\n# EOF\n'),
    /line 4, col 1: samples of one metric/,
  );
  assert.throws(
    () => om('# TYPE c counter\nc_total{a="1"} 1 2\nc_created{a="1"} 1 1\n# EOF\n'),
    /line 3, col 1: timestamps went backwards/,
  );
  assert.throws(
    () => om('# TYPE c counter\nc_total{a="1"} 1 2\nc_created{a="1"} 1\n# EOF\n'),
    /line 3, col 1: some samples of this metric have timestamps/,
  );
  const info = om('# TYPE i info\ni_info{a="1"} 1 2\ni_info{a="2"} 1 1\ni_info{a="1"} 1 3\n# EOF\n');
  assert.equal(info[0]?.samples.length, 3, 'an info family is one point: timestamps may go back, no repeat rule');
  const again = om('# TYPE i info\ni_info{a="1"} 1 2\ni_info{a="2"} 1 1\ni_info{a="1"} 1 1\n# EOF\n');
  assert.equal(again[0]?.samples.length, 2, 'a repeat at the timestamp just before is a duplicate');
  const later = om('# TYPE i info\ni_info{a="1"} 1 2\ni_info{a="2"} 1 1\ni_info{a="2"} 1 1\n# EOF\n');
  assert.equal(later[0]?.samples.length, 2, 'a sample read at another timestamp than the one before still counts');
  const buckets = om(
    `# TYPE h histogram\n${Array.from({ length: 20 }, (_, i) => `h_bucket{le="${i}"} ${i}\n`).join('')}h_bucket{le="19"} 19\nh_bucket{le="+Inf"} 20\n# EOF\n`,
  );
  assert.equal(buckets[0]?.samples.length, 21, 'a repeated bucket past the first sixteen of a point is a duplicate too');
});

test('OpenMetrics: a family reserves its suffixed names by its type, in every parse', () => {
  // Reserved names are remembered per family name between parses: the type must still decide.
  for (let pass = 0; pass < 2; pass++) {
    assert.throws(
      () => om('# TYPE a counter\na_total 1\n# TYPE a_created gauge\na_created 1\n# EOF\n'),
      /line 5, col 1: metric name "a_created" clashes with an earlier family/,
    );
    assert.equal(om('# TYPE a gauge\na 1\n# TYPE a_created gauge\na_created 1\n# EOF\n').length, 2);
    assert.throws(
      () => om('# TYPE a counter\na_total 1\n# TYPE a_total gauge\na_total 2\n# EOF\n'),
      /line 5, col 1: metric name "a_total" clashes with an earlier family/,
    );
  }
});

test('OpenMetrics: a point seen on a fast-path line and again apart on an exact-parser line is rejected, both ways', () => {
  // A timestamp sends a line to the exact parser; plain lines take the fast path, which hashes
  // label sets from the bytes it read, the exact parser from the label strings.
  const notTogether = /line 4, col 1: samples of one metric must be grouped together/;
  assert.throws(() => om('# TYPE a gauge\na{x="1",y="b"} 1\na{x="2",y="b"} 1\na{y="b",x="1"} 1 5\n# EOF\n'), notTogether);
  assert.throws(() => om('# TYPE a gauge\na{x="1",y="b"} 1 5\na{x="2",y="b"} 1 5\na{y="b",x="1"} 1\n# EOF\n'), notTogether);
  // One point's samples on both paths (an exemplar sends its line to the exact parser), then another point.
  const ok = om(
    '# TYPE h histogram\nh_bucket{x="1",le="1"} 1 # {t="a"} 0.5\nh_bucket{x="1",le="+Inf"} 2\nh_count{x="1"} 2\nh_sum{x="1"} 3\n' +
      'h_bucket{x="2",le="1"} 1\nh_bucket{x="2",le="+Inf"} 1 # {t="b"} 2\nh_count{x="2"} 1\nh_sum{x="2"} 1\n# EOF\n',
  );
  assert.equal(ok[0]?.samples.length, 8);
});
