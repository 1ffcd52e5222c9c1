import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpositionStreamParser, parseExposition } from './parse.js';

const text = (s: string) => parseExposition(Buffer.from(s), { format: 'text' });

// Error table: exact line, column and reason (columns count characters, 1-based).
const errors: Array<{ name: string; input: string; line: number; column: number; reason: RegExp }> = [
  { name: 'single-quoted value', input: "a{b='c'} 1\n", line: 1, column: 5, reason: /expected '"' at start of label value, found "'"/ },
  { name: 'hex float', input: 'foo 0x1p-3\n', line: 1, column: 5, reason: /expected float as value, got "0x1p-3"/ },
  { name: 'underscore in number', input: 'foo 1_000\n', line: 1, column: 5, reason: /expected float as value/ },
  { name: 'invalid escape', input: 'ok 1\nm{l="a\\qb"} 1\n', line: 2, column: 7, reason: /invalid escape sequence '\\q' in label value/ },
  { name: 'unterminated label value', input: 'm{l="abc} 1\n', line: 1, column: 12, reason: /unescaped new-line/ },
  { name: 'duplicate label', input: 'm{a="1",a="2"} 1\n', line: 1, column: 9, reason: /duplicate label name "a"/ },
  { name: '__name__ label', input: 'm{__name__="x"} 1\n', line: 1, column: 3, reason: /reserved/ },
  { name: 'no newline at end', input: 'm 1', line: 1, column: 4, reason: /unexpected end of input stream/ },
  { name: 'trailing space after value', input: 'm 1 \n', line: 1, column: 5, reason: /expected integer as timestamp, got ""/ },
  { name: 'float timestamp', input: 'm 1 2.5\n', line: 1, column: 5, reason: /expected integer as timestamp, got "2.5"/ },
  { name: 'text after timestamp', input: 'm 1 2 3\n', line: 1, column: 6, reason: /spurious string after timestamp/ },
  { name: 'second HELP', input: '# HELP m a\n# HELP m b\n', line: 2, column: 1, reason: /second HELP line for metric name "m"/ },
  { name: 'TYPE after samples', input: 'm 1\n# TYPE m counter\n', line: 2, column: 1, reason: /TYPE reported after samples/ },
  { name: 'unknown type', input: '# TYPE m bla\n', line: 1, column: 10, reason: /unknown metric type "bla"/ },
  {
    name: 'bad le',
    input: '# TYPE h histogram\nh_bucket{le="x"} 1\n',
    line: 2,
    column: 1,
    reason: /expected float as value for 'le' label, got "x"/,
  },
  { name: 'bad quantile', input: '# TYPE s summary\ns{quantile="x"} 1\n', line: 2, column: 1, reason: /'quantile' label/ },
  { name: 'invalid metric name', input: '9m 1\n', line: 1, column: 1, reason: /invalid metric name/ },
  { name: 'invalid utf-8 in label value', input: 'm{l="\xff"} 1\n', line: 1, column: 5, reason: /invalid UTF-8 in label value/ },
  {
    name: 'column counts characters',
    input: 'm{l="äöü",x=1} 1\n',
    line: 1,
    column: 13,
    reason: /expected '"' at start of label value, found "1"/,
  },
  { name: 'value out of range', input: 'm 1e400\n', line: 1, column: 3, reason: /expected float as value/ },
  { name: 'timestamp out of int64 range', input: 'm 1 9223372036854775808\n', line: 1, column: 5, reason: /expected integer as timestamp/ },
];
for (const c of errors) {
  test(`text error: ${c.name}`, () => {
    const input = c.name.startsWith('invalid utf-8') ? Buffer.from(c.input, 'latin1') : Buffer.from(c.input);
    assert.throws(
      () => parseExposition(input, { format: 'text' }),
      (e: Error & { line?: number; column?: number; code?: string }) => {
        assert.equal(e.code, 'EXPOSITION_SYNTAX');
        assert.equal(e.line, c.line, e.message);
        assert.equal(e.column, c.column, e.message);
        assert.match(e.message, c.reason);
        assert.match(e.message, /^line \d+, col \d+: /);
        return true;
      },
    );
  });
}

test('values: Prometheus number syntax, read exactly', () => {
  const fams = text('a NaN\nb +Inf\nc -Inf\nd Inf\ne 1e3\nf -0.5\ng .5\nh 5.\ni 0.1\nj 123456789012345678\nk infinity\nl 1E-3\n');
  const v = Object.fromEntries(fams.map((f) => [f.name, f.samples[0]?.value]));
  assert.ok(Number.isNaN(v.a));
  assert.equal(v.b, Number.POSITIVE_INFINITY);
  assert.equal(v.c, Number.NEGATIVE_INFINITY);
  assert.equal(v.d, Number.POSITIVE_INFINITY);
  assert.equal(v.e, 1000);
  assert.equal(v.f, -0.5);
  assert.equal(v.g, 0.5);
  assert.equal(v.h, 5);
  assert.equal(v.i, 0.1);
  assert.equal(v.j, Number('123456789012345678'));
  assert.equal(v.k, Number.POSITIVE_INFINITY);
  assert.equal(v.l, 0.001);
});

test('timestamps: int64 milliseconds, exact beyond 2^53', () => {
  const fams = text('a 1 1520879607789\nb 1 -5\nc 1 9223372036854775807\n');
  assert.equal(fams[0]?.samples[0]?.timestampMs, 1520879607789);
  assert.equal(fams[1]?.samples[0]?.timestampMs, -5);
  assert.equal(fams[2]?.samples[0]?.timestampMs, 9223372036854775807n);
});

test('expfmt leniency: blanks, tabs, trailing comma, brace after blank, no space before value', () => {
  const fams = text('  m\t{ a = "1" , b="2", }\t3\n\nn{}4\n# a plain comment\n#\n');
  assert.deepEqual(fams[0]?.samples[0], { name: 'm', labels: ['a', '1', 'b', '2'], value: 3, timestampMs: null });
  assert.equal(fams[1]?.samples[0]?.value, 4);
});

test('summary and histogram samples join their family; families may be re-entered', () => {
  const fams = text(
    '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\nother 1\ns_sum{x="y"} 4\n',
  );
  assert.deepEqual(
    fams.map((f) => [f.name, f.type, f.samples.map((s) => s.name)]),
    [
      ['s', 'summary', ['s', 's_sum', 's_count', 's_sum']],
      ['h', 'histogram', ['h_bucket', 'h_count']],
      ['other', 'untyped', ['other']],
    ],
  );
});

test('escapes in HELP and label values; UTF-8 text', () => {
  const fams = text('# HELP m a\\\\b\\nc "q"\nm{l="x\\"y\\\\z\\nw",u="日本"} 1\n');
  assert.equal(fams[0]?.help, 'a\\b\nc "q"');
  assert.deepEqual(fams[0]?.samples[0]?.labels, ['l', 'x"y\\z\nw', 'u', '日本']);
});

test('UTF-8 metric and label names in quotes', () => {
  const fams = text('# TYPE "my.metric" gauge\n{"my.metric","a.b"="c"} 1\n');
  assert.equal(fams[0]?.name, 'my.metric');
  assert.equal(fams[0]?.type, 'gauge');
  assert.deepEqual(fams[0]?.samples[0]?.labels, ['a.b', 'c']);
});

test('empty body and HELP-only families give no families', () => {
  assert.deepEqual(text(''), []);
  assert.deepEqual(text('# HELP m x\n# TYPE m counter\n'), []);
});

test('duplicate labels are caught even when earlier lines used the same names', () => {
  assert.throws(() => text('m{b="1",a="2"} 1\nm{a="1"} 1\nm{a="1",a="2"} 1\n'), /line 3, col 9: duplicate label name "a"/);
  assert.throws(() => text('m{a="1",b="2"} 1\nm{a="1",b="2",a="3"} 1\n'), /line 2, col 15: duplicate label name "a"/);
});

test('label values that extend, shorten or repeat the previous line read exactly', () => {
  const fams = text('m{a="abc",b="x"} 1\nm{a="ab",b="x"} 2\nm{a="abcd",b="xy"} 3\nm{a="abcd",b="xy"} 4\nm{a="",b="x"} 5\n');
  assert.deepEqual(
    fams[0]?.samples.map((s) => s.labels),
    [
      ['a', 'abc', 'b', 'x'],
      ['a', 'ab', 'b', 'x'],
      ['a', 'abcd', 'b', 'xy'],
      ['a', 'abcd', 'b', 'xy'],
      ['a', '', 'b', 'x'],
    ],
  );
});

test('duplicate labels are caught after a line with a quoted label name, ASCII or not', () => {
  const lines = 'm{a="1",b="2"} 1\nm{"q"="x",a="y"} 1\nm{a="1",a="2"} 1\n';
  assert.throws(() => text(lines), /line 3, col 9: duplicate label name "a"/);
  assert.throws(() => text(`${lines}u{l="é"} 1\n`), /line 3, col 9: duplicate label name "a"/);
});

test('a line left to the exact parser midway does not hide a later duplicate', () => {
  assert.throws(() => text('m{a="1",b="2"} 1\nm{b="1",a="2" } 1\nm{b="1",b="2"} 1\n'), /line 3, col 9: duplicate label name "b"/);
  assert.throws(() => text('m{a="1",b="2"} 1\nm{a="1",b="2",c="x\\n"} 1\nm{a="1",a="2"} 1\n'), /line 3, col 9: duplicate label name "a"/);
});

test('a stream chunk refilled in place by its producer is read afresh', () => {
  const p = new ExpositionStreamParser({ format: 'text' });
  const chunk = Buffer.from('m{a="1",b="2"} 1\n');
  p.push(chunk);
  chunk.write('m{c="3",b="2"} 2\n');
  p.push(chunk);
  assert.deepEqual(
    p.end()[0]?.samples.map((s) => s.labels),
    [
      ['a', '1', 'b', '2'],
      ['c', '3', 'b', '2'],
    ],
  );
});

test('a body the fast path mostly cannot read parses the same once it stops trying', () => {
  const body = `${'m{ a="1"} 1\n'.repeat(100)}n{a="x",b="y"} 2\nn{a="1",a="2"} 1\n`;
  assert.throws(() => text(body), /line 102, col 9: duplicate label name "a"/);
  assert.deepEqual(text(body.slice(0, body.lastIndexOf('n{a="1"')))[1]?.samples[0]?.labels, ['a', 'x', 'b', 'y']);
});

test('keepHelp: false checks HELP lines as strictly but keeps no text', () => {
  const body = '# HELP m a\\\\b\\nc "q"\n# TYPE m counter\nm{l="x"} 1\n';
  const p = new ExpositionStreamParser({ format: 'text', keepHelp: false });
  p.push(Buffer.from(body));
  const fams = p.end();
  assert.equal(fams[0]?.help, '');
  assert.deepEqual(fams[0]?.samples, parseExposition(Buffer.from(body), { format: 'text' })[0]?.samples);
  for (const [input, error] of [
    ['# HELP m a\\tb\nm 1\n', /line 1, col 11: invalid escape sequence '\\t' in HELP/],
    ['# HELP m ok\\\\ then \\x\nm 1\n', /line 1, col 20: invalid escape sequence '\\x' in HELP/],
    ['# HELP m a\n# HELP m b\n', /line 2, col 1: second HELP line for metric name "m"/],
  ] as const) {
    assert.throws(() => parseExposition(Buffer.from(input), { format: 'text' }), error, input);
    assert.throws(() => parseExposition(Buffer.from(input), { format: 'text', keepHelp: false }), error, input);
  }
});

test('parsers after one another share scratch state but never families or buffers', () => {
  const kinds = ['counter', 'gauge', 'untyped', 'summary'] as const;
  for (let i = 0; i < 40; i++) {
    const type = kinds[i % kinds.length] as string;
    const body = `# TYPE m ${type}\nm{a="${i}",b="x"} ${i}\nother_${i % 3} 1\n`;
    // Two parses at once, then each ends: the second must not see the first's families.
    const a = new ExpositionStreamParser({ format: 'text' });
    const b = new ExpositionStreamParser({ format: 'text' });
    a.push(Buffer.from(body));
    b.push(Buffer.from(body.replace(`TYPE m ${type}`, 'TYPE m gauge')));
    const fa = a.end();
    const fb = b.end();
    assert.equal(fa[0]?.type, type);
    assert.equal(fb[0]?.type, 'gauge');
    assert.deepEqual(fa[0]?.samples[0]?.labels, ['a', String(i), 'b', 'x']);
    assert.equal(fa[1]?.name, `other_${i % 3}`);
  }
});
