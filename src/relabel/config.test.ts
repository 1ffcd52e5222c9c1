// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are Prometheus replacement templates, not JS.
// Invalid rule lists: the error names the rule index and field, with a stable code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRelabelConfigs, RelabelConfigError } from './index.js';

const cases: { name: string; rules: unknown; message: string; ruleIndex: number; field: string | null; legacy?: boolean }[] = [
  {
    name: 'not a list',
    rules: { action: 'keep' },
    message: 'relabel rules: must be a list of relabel rules, got a mapping',
    ruleIndex: -1,
    field: null,
  },
  {
    name: 'null rule',
    rules: [{ action: 'keep' }, null],
    message: 'relabel rule 1: empty or null relabeling rule',
    ruleIndex: 1,
    field: null,
  },
  {
    name: 'rule not a mapping',
    rules: ['keep'],
    message: 'relabel rule 0: must be a mapping of rule fields, got "keep"',
    ruleIndex: 0,
    field: null,
  },
  {
    name: 'unknown field',
    rules: [{ action: 'keep', sourceLabels: ['a'] }],
    message:
      'relabel rule 0: field sourceLabels: unknown field; a relabel rule has only source_labels, separator, regex, modulus, target_label, replacement, action',
    ruleIndex: 0,
    field: 'sourceLabels',
  },
  {
    name: 'unknown action',
    rules: [{ action: 'rename' }],
    message:
      'relabel rule 0: field action: unknown relabel action "rename"; expected one of replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase',
    ruleIndex: 0,
    field: 'action',
  },
  {
    name: 'empty action',
    rules: [{ action: '' }],
    message: 'relabel rule 0: field action: must not be empty',
    ruleIndex: 0,
    field: 'action',
  },
  {
    name: 'null action',
    rules: [{ action: null }],
    message: 'relabel rule 0: field action: must not be empty',
    ruleIndex: 0,
    field: 'action',
  },
  {
    name: 'bad regex',
    rules: [{ action: 'keep' }, { action: 'drop', regex: 'a(b' }],
    message: 'relabel rule 1: field regex: invalid regular expression "a(b": error parsing regexp: missing closing ): `^(?s:a(b)$`',
    ruleIndex: 1,
    field: 'regex',
  },
  {
    name: 'lookahead is not RE2',
    rules: [{ action: 'drop', regex: 'a(?!b)' }],
    message:
      'relabel rule 0: field regex: invalid regular expression "a(?!b)": error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
    ruleIndex: 0,
    field: 'regex',
  },
  {
    name: 'replace without target_label',
    rules: [{ source_labels: ['a'] }],
    message: 'relabel rule 0: field target_label: required for action "replace"',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'hashmod without modulus',
    rules: [{ action: 'hashmod', target_label: 'h' }],
    message: 'relabel rule 0: field modulus: must be greater than 0 for action "hashmod"',
    ruleIndex: 0,
    field: 'modulus',
  },
  {
    name: 'hashmod without target',
    rules: [{ action: 'hashmod', modulus: 2 }],
    message: 'relabel rule 0: field target_label: required for action "hashmod"',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'negative modulus',
    rules: [{ action: 'hashmod', modulus: -1 }],
    message: 'relabel rule 0: field modulus: must be an unsigned 64-bit integer, got -1',
    ruleIndex: 0,
    field: 'modulus',
  },
  {
    name: 'fractional modulus',
    rules: [{ action: 'hashmod', modulus: 1.5 }],
    message: 'relabel rule 0: field modulus: must be an unsigned 64-bit integer, got 1.5',
    ruleIndex: 0,
    field: 'modulus',
  },
  {
    name: 'lowercase without target',
    rules: [{ action: 'lowercase', source_labels: ['a'] }],
    message: 'relabel rule 0: field target_label: required for action "lowercase"',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'uppercase with replacement',
    rules: [{ action: 'uppercase', target_label: 'b', replacement: 'x' }],
    message: 'relabel rule 0: field replacement: must not be set for action "uppercase"',
    ruleIndex: 0,
    field: 'replacement',
  },
  {
    name: 'keepequal without target',
    rules: [{ action: 'keepequal', source_labels: ['a'] }],
    message: 'relabel rule 0: field target_label: required for action "keepequal"',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'keepequal with a regex (even the default one, written out)',
    rules: [{ action: 'keepequal', source_labels: ['a'], target_label: 'b', regex: '(.*)' }],
    message: 'relabel rule 0: field regex: must not be set for action "keepequal": it uses only source_labels and target_label',
    ruleIndex: 0,
    field: 'regex',
  },
  {
    name: 'dropequal with a separator',
    rules: [{ action: 'dropequal', source_labels: ['a'], target_label: 'b', separator: ',' }],
    message: 'relabel rule 0: field separator: must not be set for action "dropequal": it uses only source_labels and target_label',
    ruleIndex: 0,
    field: 'separator',
  },
  {
    name: 'labeldrop with source_labels',
    rules: [{ action: 'labeldrop', regex: 'a', source_labels: ['a'] }],
    message: 'relabel rule 0: field source_labels: must not be set for action "labeldrop": it uses only regex',
    ruleIndex: 0,
    field: 'source_labels',
  },
  {
    name: 'labelkeep with an empty source_labels list (Prometheus tells [] from absent)',
    rules: [{ action: 'labelkeep', regex: 'a', source_labels: [] }],
    message: 'relabel rule 0: field source_labels: must not be set for action "labelkeep": it uses only regex',
    ruleIndex: 0,
    field: 'source_labels',
  },
  {
    name: 'labelkeep with target_label',
    rules: [{ action: 'labelkeep', regex: 'a', target_label: 'b' }],
    message: 'relabel rule 0: field target_label: must not be set for action "labelkeep": it uses only regex',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'labeldrop with replacement',
    rules: [{ action: 'labeldrop', regex: 'a', replacement: 'b' }],
    message: 'relabel rule 0: field replacement: must not be set for action "labeldrop": it uses only regex',
    ruleIndex: 0,
    field: 'replacement',
  },
  {
    name: 'empty source label name',
    rules: [{ action: 'keep', source_labels: ['a', ''] }],
    message: 'relabel rule 0: field source_labels: "" is not a valid label name',
    ruleIndex: 0,
    field: 'source_labels',
  },
  {
    name: 'source_labels not a list',
    rules: [{ action: 'keep', source_labels: 'a' }],
    message: 'relabel rule 0: field source_labels: must be a list of label names, got "a"',
    ruleIndex: 0,
    field: 'source_labels',
  },
  {
    name: 'separator not a string',
    rules: [{ action: 'keep', separator: [';'] }],
    message: 'relabel rule 0: field separator: must be a string, got a list',
    ruleIndex: 0,
    field: 'separator',
  },
  {
    name: 'legacy names: invalid target_label',
    legacy: true,
    rules: [{ source_labels: ['a'], target_label: '1abc' }],
    message:
      'relabel rule 0: field target_label: "1abc" is not a valid label name or template for action "replace" (legacy name validation)',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'legacy names: invalid template',
    legacy: true,
    rules: [{ source_labels: ['a'], target_label: 'foo-${1}' }],
    message:
      'relabel rule 0: field target_label: "foo-${1}" is not a valid label name or template for action "replace" (legacy name validation)',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'legacy names: invalid labelmap replacement',
    legacy: true,
    rules: [{ action: 'labelmap', regex: '(.*)', replacement: 'a.$1' }],
    message: 'relabel rule 0: field replacement: "a.$1" is not a valid label name template for action "labelmap" (legacy name validation)',
    ruleIndex: 0,
    field: 'replacement',
  },
  {
    name: 'legacy names: invalid hashmod target',
    legacy: true,
    rules: [{ action: 'hashmod', modulus: 2, target_label: 'a-b' }],
    message: 'relabel rule 0: field target_label: "a-b" is not a valid label name for action "hashmod" (legacy name validation)',
    ruleIndex: 0,
    field: 'target_label',
  },
  {
    name: 'utf8 names: labelmap replacement must not be empty',
    rules: [{ action: 'labelmap', regex: '(.*)', replacement: '' }],
    message: 'relabel rule 0: field replacement: "" is not a valid label name template for action "labelmap"',
    ruleIndex: 0,
    field: 'replacement',
  },
];

for (const c of cases) {
  test(`invalid: ${c.name}`, () => {
    assert.throws(
      () => compileRelabelConfigs(c.rules, undefined, { nameValidation: c.legacy ? 'legacy' : 'utf8' }),
      (err: unknown) => {
        assert.ok(err instanceof RelabelConfigError);
        assert.equal(err.code, 'RELABEL_CONFIG');
        assert.equal(err.message, c.message);
        assert.equal(err.ruleIndex, c.ruleIndex);
        assert.equal(err.field, c.field);
        return true;
      },
    );
  });
}

test('where prefixes the error with a config path', () => {
  assert.throws(
    () =>
      compileRelabelConfigs(
        [{ action: 'keep' }, { action: 'keep' }, { source_labels: ['a'] }],
        'scrape.yml: scrape_configs[0].metric_relabel_configs',
      ),
    {
      code: 'RELABEL_CONFIG',
      message: 'scrape.yml: scrape_configs[0].metric_relabel_configs[2].target_label: required for action "replace"',
    },
  );
  assert.throws(() => compileRelabelConfigs('x', 'a.yml: relabel_configs'), {
    message: 'a.yml: relabel_configs: must be a list of relabel rules, got "x"',
  });
  assert.throws(() => compileRelabelConfigs([null], 'a.yml: relabel_configs'), {
    message: 'a.yml: relabel_configs[0]: empty or null relabeling rule',
  });
});

test('valid: what Prometheus accepts', () => {
  const ok: unknown[] = [
    { action: 'KEEP', source_labels: ['a'] }, // action is case-insensitive
    { source_labels: ['a'], target_label: 'foo-bar.baz' }, // utf8 names (Prometheus 3 default)
    { source_labels: ['a'], target_label: '${1}_x', regex: '(.*)' },
    { action: 'keepequal', source_labels: ['a'], target_label: 'b', separator: ';', replacement: '$1' },
    { action: 'labeldrop', regex: 'x', separator: ';', source_labels: null },
    { action: 'lowercase', source_labels: ['a'], target_label: 'b', replacement: '$1' },
    { action: 'hashmod', source_labels: ['a'], target_label: 'b', modulus: 18446744073709551615n },
    { action: 'drop', regex: null }, // null regex is the empty regex
    { action: 'keep', target_label: 'ignored', replacement: 'ignored', modulus: 5 },
  ];
  assert.equal(compileRelabelConfigs(ok).length, ok.length);
  const legacyOk = [
    { source_labels: ['a'], target_label: 'x_${1}_$name' },
    { action: 'labelmap', regex: '(.*)', replacement: 'p_$1' },
  ];
  assert.equal(compileRelabelConfigs(legacyOk, undefined, { nameValidation: 'legacy' }).length, 2);
});

test('an empty regex (null) matches only the empty value', () => {
  const chain = compileRelabelConfigs([{ action: 'drop', source_labels: ['a'], regex: null }]);
  assert.equal(chain.process(['b', 'x']), null);
  assert.deepEqual(chain.process(['a', 'x']), ['a', 'x']);
});

test('a pathological legacy target template is validated in linear time', () => {
  const t0 = performance.now();
  assert.throws(
    () =>
      compileRelabelConfigs([{ source_labels: ['a'], target_label: `${'a$a'.repeat(2000)}!` }], undefined, { nameValidation: 'legacy' }),
    {
      field: 'target_label',
    },
  );
  assert.ok(performance.now() - t0 < 2000);
});

test('RelabelConfigError is a CfPromError with a stable code', async () => {
  const { CfPromError } = await import('../errors.js');
  try {
    compileRelabelConfigs([{ action: 'hashmod' }]);
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof CfPromError);
    assert.equal((err as RelabelConfigError).code, 'RELABEL_CONFIG');
    assert.equal((err as RelabelConfigError).reason, 'must be greater than 0 for action "hashmod"');
  }
});
