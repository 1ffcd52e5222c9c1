import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tierUpSooner } from './v8-tiering.js';

test('tierUpSooner leaves a budget the operator chose on the command line or in NODE_OPTIONS', () => {
  assert.equal(tierUpSooner(['--interrupt-budget=1000'], ''), false);
  assert.equal(tierUpSooner(['--no-memory-reducer', '--interrupt_budget=1000'], ''), false);
  assert.equal(tierUpSooner([], '--max-old-space-size=512 --interrupt-budget=5000'), false);
});

test('tierUpSooner sets the daemon budget otherwise', () => {
  assert.equal(tierUpSooner(['--no-memory-reducer'], '--max-old-space-size=512'), true);
});
