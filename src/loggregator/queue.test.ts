import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvelopeQueue } from './queue.js';

/** A segment of one-byte "envelopes" with the given byte values. */
const seg = (...xs: number[]) => ({ bytes: Buffer.from(xs), ends: xs.map((_, i) => i + 1) });
const push = (q: EnvelopeQueue, ...xs: number[]) => {
  const s = seg(...xs);
  return q.push(s.bytes, s.ends);
};
const drain = (q: EnvelopeQueue, max: number): number[][] => {
  const out: number[][] = [];
  for (let b = q.take(max); b !== null; b = q.take(max)) {
    assert.equal(b.bytes.length, b.count);
    out.push([...b.bytes]);
  }
  return out;
};

test('FIFO batches across segment boundaries', () => {
  const q = new EnvelopeQueue(100);
  push(q, 1, 2, 3);
  push(q, 4);
  push(q, 5, 6, 7, 8);
  assert.equal(q.length, 8);
  assert.deepEqual(drain(q, 3), [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8],
  ]);
  assert.equal(q.length, 0);
});

test('full: the oldest envelopes are dropped and counted', () => {
  const q = new EnvelopeQueue(4);
  assert.equal(push(q, 1, 2, 3), 0);
  assert.equal(push(q, 4, 5), 1);
  assert.equal(push(q, 6, 7, 8), 3);
  assert.equal(q.length, 4);
  assert.deepEqual(drain(q, 10), [[5, 6, 7, 8]]);
});

test('a segment larger than the queue keeps its newest envelopes', () => {
  const q = new EnvelopeQueue(3);
  push(q, 1);
  assert.equal(push(q, 2, 3, 4, 5, 6), 3);
  assert.deepEqual(drain(q, 10), [[4, 5, 6]]);
});

test('clear() reports what it discards; capacity must be positive', () => {
  const q = new EnvelopeQueue(10);
  push(q, 1, 2);
  assert.equal(q.clear(), 2);
  assert.equal(q.take(5), null);
  assert.throws(() => new EnvelopeQueue(0), RangeError);
});

test('take() keeps a batch under the byte budget, but always takes at least one envelope', () => {
  const q = new EnvelopeQueue(100);
  push(q, 1, 2, 3, 4, 5);
  push(q, 6, 7);
  const sizes: number[] = [];
  for (let b = q.take(10, 3); b !== null; b = q.take(10, 3)) sizes.push(b.count);
  assert.deepEqual(sizes, [3, 3, 1]); // 1-3 | 4,5 + 6 across segments | 7
  push(q, 9);
  assert.equal(q.take(10, 0)?.count, 1);
});
