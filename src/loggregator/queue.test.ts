import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRPC_PREFIX_BYTES } from './client.js';
import { EnvelopeQueue } from './queue.js';

/** Framed one-byte "envelopes" (`0x0a 0x01 x`) with the given byte values. */
const seg = (...xs: number[]) => ({ bytes: Buffer.from(xs.flatMap((x) => [0x0a, 1, x])), ends: xs.map((_, i) => 3 * i + 3) });
const push = (q: EnvelopeQueue, ...xs: number[]) => {
  const s = seg(...xs);
  return q.push(s.bytes, s.ends);
};
const values = (b: Buffer): number[] => [...b].filter((_, i) => i % 3 === 2);
const drain = (q: EnvelopeQueue): number[][] => {
  const out: number[][] = [];
  for (let b = q.take(true); b !== null; b = q.take(true)) {
    assert.equal(b.bytes.length, 3 * b.count);
    out.push(values(b.bytes));
    q.release(b);
  }
  return out;
};

test('FIFO batches across commits', () => {
  const q = new EnvelopeQueue(100, 3);
  push(q, 1, 2, 3);
  push(q, 4);
  push(q, 5, 6, 7, 8);
  assert.equal(q.length, 8);
  assert.deepEqual(drain(q), [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8],
  ]);
  assert.equal(q.length, 0);
});

test('only full batches are taken unless partial ones are asked for', () => {
  const q = new EnvelopeQueue(100, 3);
  push(q, 1, 2);
  assert.equal(q.hasFullBatch, false);
  assert.equal(q.take(false), null);
  push(q, 3, 4);
  assert.equal(q.hasFullBatch, true);
  assert.deepEqual(values((q.take(false) as { bytes: Buffer }).bytes), [1, 2, 3]);
  assert.equal(q.take(false), null);
  assert.deepEqual(drain(q), [[4]]);
});

test('full: the oldest envelopes are dropped and counted', () => {
  const q = new EnvelopeQueue(4, 10);
  assert.equal(push(q, 1, 2, 3), 0);
  assert.equal(push(q, 4, 5), 1);
  assert.equal(push(q, 6, 7, 8), 3);
  assert.equal(q.length, 4);
  assert.deepEqual(drain(q), [[5, 6, 7, 8]]);
});

test('dropping the oldest reaches across batches', () => {
  const q = new EnvelopeQueue(5, 2);
  push(q, 1, 2, 3, 4, 5);
  assert.equal(push(q, 6, 7, 8), 3);
  assert.deepEqual(drain(q), [[4], [5, 6], [7, 8]]);
});

test('a commit larger than the queue keeps its newest envelopes', () => {
  const q = new EnvelopeQueue(3, 10);
  push(q, 1);
  assert.equal(push(q, 2, 3, 4, 5, 6), 3);
  assert.deepEqual(drain(q), [[4, 5, 6]]);
});

test('clear() reports what it discards; capacity must be positive', () => {
  const q = new EnvelopeQueue(10);
  push(q, 1, 2);
  assert.equal(q.clear(), 2);
  assert.equal(q.take(true), null);
  assert.throws(() => new EnvelopeQueue(0), RangeError);
});

test('batches stay under the byte budget, but a lone oversized envelope still goes', () => {
  const q = new EnvelopeQueue(100, 10, 9);
  push(q, 1, 2, 3, 4, 5);
  push(q, 6, 7);
  const sizes: number[] = [];
  for (let b = q.take(true); b !== null; b = q.take(true)) sizes.push(b.count);
  assert.deepEqual(sizes, [3, 3, 1]); // 1-3 | 4,5 + 6 across commits | 7
  const tiny = new EnvelopeQueue(100, 10, 0);
  push(tiny, 9, 10);
  assert.equal(tiny.take(false)?.count, 1);
  assert.equal(tiny.take(false)?.count, 1);
});

test('released batches are reused, and what they held does not leak into the next', () => {
  const q = new EnvelopeQueue(100, 2);
  push(q, 1, 2);
  const b = q.take(false);
  assert.ok(b);
  q.release(b);
  push(q, 3, 4, 5);
  const c = q.take(false);
  assert.equal(c, b);
  assert.deepEqual(values(c.bytes), [3, 4]);
});

test('a batch is framed as a gRPC message in place: after growing, and after its oldest were dropped', () => {
  const q = new EnvelopeQueue(10_000, 20_000);
  const xs = Array.from({ length: 8000 }, (_, i) => i & 0xff); // 24000 bytes: the 16 KiB buffer grows
  push(q, ...xs);
  push(q, ...Array(3000).fill(7)); // over capacity: the first 1000 envelopes go
  const b = q.take(true);
  assert.ok(b !== null);
  const m = b.message;
  assert.equal(m.buffer, b.buf.buffer, 'no copy');
  assert.equal(m[0], 0);
  assert.equal(m.readUInt32BE(1), 3 * b.count);
  assert.deepEqual(m.subarray(GRPC_PREFIX_BYTES), b.bytes);
  assert.deepEqual(values(b.bytes).slice(0, 3), [1000 & 0xff, 1001 & 0xff, 1002 & 0xff]);
});
