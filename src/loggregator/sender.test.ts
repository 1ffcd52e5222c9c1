import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BatchStream, GRPC_PREFIX_BYTES, type IngressTransport } from './client.js';
import { createLoggregatorMetrics } from './metrics.js';
import { EnvelopeSender } from './sender.js';

/** A transport double: writes complete synchronously; `failWrites` makes the next N writes fail. */
function fakeTransport() {
  const state = { readyCalls: 0, streams: 0, written: 0, failWrites: 0, ends: [] as ((err: Error | null) => void)[] };
  const transport: IngressTransport = {
    ready: () => {
      state.readyCalls++;
      return Promise.resolve();
    },
    openBatchStream(onEnd): BatchStream {
      state.streams++;
      state.ends.push(onEnd);
      return {
        write(batch, done) {
          if (state.failWrites > 0) {
            state.failWrites--;
            done(new Error('boom'));
            return;
          }
          state.written += countEntries(batch);
          done(null);
        },
        end: () => onEnd(null),
        cancel() {},
      };
    },
    close() {},
  };
  return { transport, state };
}

/** Entries of one gRPC message holding a batch of one-byte envelopes. */
function countEntries(message: Buffer): number {
  assert.equal(message[0], 0);
  assert.equal(message.readUInt32BE(1), message.length - GRPC_PREFIX_BYTES);
  let n = 0;
  for (let pos = GRPC_PREFIX_BYTES; pos < message.length; n++) pos += 2 + (message[pos + 1] as number);
  return n;
}

/** `n` one-byte envelopes framed as batch entries: 0x0a 0x01 0x00. */
function segment(n: number): { bytes: Buffer; ends: number[] } {
  const bytes = Buffer.alloc(3 * n);
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    bytes[3 * i] = 0x0a;
    bytes[3 * i + 1] = 1;
    ends.push(3 * i + 3);
  }
  return { bytes, ends };
}

const opts = {
  queueCapacity: 1_000_000,
  batchMaxEnvelopes: 100,
  batchMaxBytes: 1 << 20,
  maxInFlightBatches: 1,
  flushIntervalMs: 10,
  connectTimeoutMs: 100,
  backoffInitialMs: 5,
  backoffMaxMs: 20,
};

test('a transport that completes writes synchronously does not recurse: 200k envelopes in one commit', async () => {
  const { transport, state } = fakeTransport();
  const m = createLoggregatorMetrics(opts.queueCapacity);
  const s = new EnvelopeSender(transport, opts, m);
  const seg = segment(200_000);
  s.enqueue(seg.bytes, seg.ends);
  assert.equal(await s.flush(Date.now() + 5000), true);
  assert.equal(state.written, 200_000);
  assert.equal(m.envelopesSent, 200_000);
  assert.equal(m.batchSize.count, 2000);
  await s.stop(Date.now() + 1000);
});

test('a failed write drops that batch (counted), reopens the stream after a backoff, and carries on', async () => {
  const { transport, state } = fakeTransport();
  const m = createLoggregatorMetrics(opts.queueCapacity);
  const s = new EnvelopeSender(transport, { ...opts, random: () => 0.5 }, m);
  state.failWrites = 2;
  const seg = segment(500);
  s.enqueue(seg.bytes, seg.ends);
  await s.flush(Date.now() + 5000);
  assert.equal(m.envelopesDropped.send_error, 200);
  assert.equal(m.sendErrors, 2);
  assert.equal(m.envelopesSent, 300);
  assert.equal(state.streams, 3);
  assert.equal(m.reconnects, 2);
  await s.stop(Date.now() + 1000);
  assert.equal(m.envelopesDropped.shutdown, 0);
});

test('a stream the agent ends is reopened on the next batch', async () => {
  const { transport, state } = fakeTransport();
  const m = createLoggregatorMetrics(opts.queueCapacity);
  const s = new EnvelopeSender(transport, opts, m);
  const a = segment(100);
  s.enqueue(a.bytes, a.ends);
  await s.flush(Date.now() + 1000);
  state.ends[0]?.(new Error('agent went away'));
  assert.equal(m.sendErrors, 1);
  const b = segment(100);
  s.enqueue(b.bytes, b.ends);
  await s.flush(Date.now() + 1000);
  assert.equal(m.envelopesSent, 200);
  assert.equal(state.streams, 2);
  await s.stop(Date.now() + 1000);
});

test('batches respect the byte budget as well as the envelope count', async () => {
  const { transport, state } = fakeTransport();
  const m = createLoggregatorMetrics(opts.queueCapacity);
  const s = new EnvelopeSender(transport, { ...opts, batchMaxBytes: 30 }, m);
  const seg = segment(200);
  s.enqueue(seg.bytes, seg.ends);
  await s.flush(Date.now() + 1000);
  assert.equal(state.written, 200);
  assert.equal(m.batchSize.count, 20); // 10 three-byte envelopes per batch
  await s.stop(Date.now() + 1000);
});
