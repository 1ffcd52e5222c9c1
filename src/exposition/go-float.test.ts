import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoFloat } from './go-float.js';

// Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
const cases: Array<[number, string]> = [
  [0, '0'],
  [-0, '-0'],
  [1, '1'],
  [-1, '-1'],
  [0.5, '0.5'],
  [0.001, '0.001'],
  [0.0001, '0.0001'],
  [0.00001, '1e-05'],
  [1e-10, '1e-10'],
  [123456, '123456'],
  [999999, '999999'],
  [1e6, '1e+06'],
  [1234567, '1.234567e+06'],
  [123456789, '1.23456789e+08'],
  [1e21, '1e+21'],
  [1e100, '1e+100'],
  [2.5e-7, '2.5e-07'],
  [0.1, '0.1'],
  [0.30000000000000004, '0.30000000000000004'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [Number.POSITIVE_INFINITY, '+Inf'],
  [Number.NEGATIVE_INFINITY, '-Inf'],
  [Number.NaN, 'NaN'],
  [0.25, '0.25'],
  [2.5, '2.5'],
  [10, '10'],
  [100000, '100000'],
];
for (const [v, want] of cases) test(`formatGoFloat(${v}) = ${want}`, () => assert.equal(formatGoFloat(v), want));
