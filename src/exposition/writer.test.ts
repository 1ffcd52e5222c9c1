import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition } from './parse.js';
import { writeOpenMetrics, writeText } from './writer.js';

test('text writer: escaping and Go number formatting', () => {
  const out = writeText([
    {
      name: 'm',
      type: 'gauge',
      help: 'a\\b\nc',
      unit: null,
      samples: [{ name: 'm', labels: ['l', 'x"y\\z\nw', 'le', '0.00001'], value: 1e6, timestampMs: 5 }],
    },
  ]);
  assert.equal(out, '# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l="x\\"y\\\\z\\nw",le="0.00001"} 1e+06 5\n');
});

test('OpenMetrics → text keeps counters typed and _created apart', () => {
  const fams = parseExposition(Buffer.from('# TYPE r counter\nr_total 3\nr_created 10\n# EOF\n'), { format: 'openmetrics' });
  const text = writeText(fams);
  assert.equal(text, '# TYPE r_total counter\nr_total 3\n# TYPE r_created gauge\nr_created 10\n');
  const back = parseExposition(Buffer.from(text), { format: 'text' });
  assert.deepEqual(
    back.map((f) => [f.name, f.type]),
    [
      ['r_total', 'counter'],
      ['r_created', 'gauge'],
    ],
  );
});

test('text → OpenMetrics renames counters and untyped as the format requires', () => {
  const fams = parseExposition(Buffer.from('# TYPE c_total counter\nc_total 1\nu 2\n'), { format: 'text' });
  const out = writeOpenMetrics(fams);
  assert.equal(out, '# TYPE c counter\nc_total 1\n# TYPE u unknown\nu 2\n# EOF\n');
  parseExposition(Buffer.from(out), { format: 'openmetrics' });
});
