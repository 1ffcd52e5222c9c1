import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteSize } from './byte-size.js';
import { parseGoDuration, parseGoDurationNs } from './go-duration.js';

const S = 1_000_000_000n;
// Vectors from Go's time.ParseDuration documentation and behaviour.
const valid: Array<[string, bigint]> = [
  ['0', 0n],
  ['5s', 5n * S],
  ['30s', 30n * S],
  ['1478s', 1478n * S],
  ['-5s', -5n * S],
  ['+5s', 5n * S],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5n * S],
  ['5.6s', 5_600_000_000n],
  ['5.s', 5n * S],
  ['.5s', 500_000_000n],
  ['1.004s', 1_004_000_000n],
  ['100.00100s', 100_001_000_000n],
  ['10ns', 10n],
  ['11us', 11_000n],
  ['12µs', 12_000n],
  ['12μs', 12_000n],
  ['13ms', 13_000_000n],
  ['15m', 900n * S],
  ['16h', 16n * 3600n * S],
  ['3h30m', 12_600n * S],
  ['10.5s4m', 250_500_000_000n],
  ['-2m3.4s', -123_400_000_000n],
  ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
  ['39h9m14.425s', 140_954_425_000_000n],
  ['52763797000ns', 52_763_797_000n],
  ['0.3333333333333333333h', 20n * 60n * S],
  ['9007199254740993ns', 9_007_199_254_740_993n],
  ['9223372036854775807ns', 9_223_372_036_854_775_807n],
  ['9223372036854775.807us', 9_223_372_036_854_775_807n],
  ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
  ['0.100000000000000000000h', 360n * S],
  ['1m30s', 90n * S],
  ['500ms', 500_000_000n],
];
for (const [input, want] of valid) {
  test(`parseGoDuration ${JSON.stringify(input)}`, () => assert.equal(parseGoDurationNs(input), want));
}

const invalid: Array<[string, string]> = [
  ['', 'time: invalid duration ""'],
  ['3', 'time: missing unit in duration "3"'],
  ['-', 'time: invalid duration "-"'],
  ['s', 'time: invalid duration "s"'],
  ['.', 'time: invalid duration "."'],
  ['-.', 'time: invalid duration "-."'],
  ['.s', 'time: invalid duration ".s"'],
  ['+.s', 'time: invalid duration "+.s"'],
  ['1d', 'time: unknown unit "d" in duration "1d"'],
  ['15 s', 'time: unknown unit " s" in duration "15 s"'],
  ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
  ['3000000h', 'time: invalid duration "3000000h"'],
];
for (const [input, message] of invalid) {
  test(`parseGoDuration rejects ${JSON.stringify(input)}`, () => assert.throws(() => parseGoDurationNs(input), { message }));
}

test('parseGoDuration returns milliseconds, fractional below 1 ms', () => {
  assert.equal(parseGoDuration('15s'), 15_000);
  assert.equal(parseGoDuration('1.5s'), 1_500);
  assert.equal(parseGoDuration('100us'), 0.1);
});

test('parseByteSize: 1024-based units, KB and KiB alike, combinations, 0', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['10B', 10],
    ['1KB', 1024],
    ['1KiB', 1024],
    ['10MB', 10 * 1024 ** 2],
    ['1.5MB', 1.5 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['1MB512KB', 1024 ** 2 + 512 * 1024],
    ['2TB', 2 * 1024 ** 4],
  ];
  for (const [input, want] of cases) assert.equal(parseByteSize(input), want, input);
  for (const bad of ['', '10', '10kb', '10 MB', 'MB', '-1MB', '1.2.3MB']) {
    assert.throws(
      () => parseByteSize(bad),
      { message: `invalid size ${JSON.stringify(bad)}; use a number with a unit: B, KB, MB, GB (1024-based), e.g. 10MB` },
      bad,
    );
  }
});
