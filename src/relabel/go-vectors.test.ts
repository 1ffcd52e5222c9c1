// Compares expansion, matching, hashmod and case mapping with results computed by Go's own
// packages (testdata/gen-go-vectors.go; hashmod also checked with Python's hashlib).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { goToLower, goToUpper } from './case-mapping.js';
import { compileTemplate, expandTemplate } from './expand.js';
import { hashmod } from './hashmod.js';
import { compileRelabelRegex } from './regex.js';

interface Vectors {
  hashmod: [[string, string], string][];
  expand: { P: string; S: string; T: string; R: string | null }[];
  matchInputs: string[];
  match: [string, boolean[]][];
  case: [string, string, string][];
  replaceAll: [string, string, string, string | null][];
}
const vectors = JSON.parse(readFileSync(new URL('../../../src/relabel/testdata/go-vectors.json', import.meta.url), 'utf8')) as Vectors;

test('hashmod matches Go md5 + BigEndian.Uint64(sum[8:]) % modulus', () => {
  assert.ok(vectors.hashmod.length > 50);
  for (const [[value, modulus], want] of vectors.hashmod) {
    assert.equal(hashmod(value, BigInt(modulus)), want, `${JSON.stringify(value)} % ${modulus}`);
  }
});

test('hashmod: the values in Prometheus relabel_test.go', () => {
  assert.equal(hashmod('baz', 1000n), '976');
  assert.equal(hashmod('foo\nbar', 1000n), '734');
});

test('template expansion matches Go Regexp.ExpandString', () => {
  for (const v of vectors.expand) {
    const re = compileRelabelRegex(v.P);
    const t = compileTemplate(v.T, re.groupCount, re.namedGroups);
    const groups = re.match(v.S);
    const got = groups === null ? null : expandTemplate(t, groups);
    assert.equal(got, v.R, `regex ${JSON.stringify(v.P)} on ${JSON.stringify(v.S)}, template ${JSON.stringify(v.T)}`);
  }
});

test('matching (fast paths and RE2) matches Go regexp with ^(?s:…)$', () => {
  const kinds = new Set<string>();
  for (const [pattern, want] of vectors.match) {
    const re = compileRelabelRegex(pattern);
    kinds.add(re.kind);
    vectors.matchInputs.forEach((s, i) => {
      assert.equal(re.test(s), want[i], `${JSON.stringify(pattern)} on ${JSON.stringify(s)} (${re.kind})`);
      assert.equal(re.match(s) !== null, want[i], `match(): ${JSON.stringify(pattern)} on ${JSON.stringify(s)}`);
    });
  }
  assert.deepEqual([...kinds].sort(), ['any', 'literals', 'prefix', 're2']);
});

test('lowercase/uppercase match Go strings.ToLower/ToUpper', () => {
  for (const [s, lower, upper] of vectors.case) {
    assert.equal(goToLower(s), lower, `lower ${s}`);
    assert.equal(goToUpper(s), upper, `upper ${s}`);
  }
});

test('labelmap naming matches Go MatchString + ReplaceAllString, also for unanchored patterns', () => {
  assert.ok(vectors.replaceAll.length > 100);
  for (const [pattern, input, template, want] of vectors.replaceAll) {
    const re = compileRelabelRegex(pattern);
    const t = compileTemplate(template, re.groupCount, re.namedGroups);
    const got = re.test(input) ? re.replaceAll(input, t) : null;
    assert.equal(got, want, `${JSON.stringify(pattern)} on ${JSON.stringify(input)} with ${JSON.stringify(template)}`);
  }
});
