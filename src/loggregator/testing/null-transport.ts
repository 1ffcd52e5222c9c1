import type { IngressTransport } from '../client.js';

/**
 * Bench/test only: a transport that accepts every batch at once and forgets it, so a benchmark
 * measures the sink's CPU (encode, queue, batch) and not gRPC's. `sent` counts envelopes.
 */
export function createNullTransport(): IngressTransport & { sent: number } {
  const t = {
    sent: 0,
    ready: () => Promise.resolve(),
    openBatchStream: (onEnd: (err: Error | null) => void) => ({
      write: (batch: Buffer, done: (err: Error | null) => void) => {
        t.sent += countEntries(batch);
        done(null);
      },
      end: () => onEnd(null),
      cancel() {},
    }),
    close() {},
  };
  return t;
}

function countEntries(b: Buffer): number {
  let n = 0;
  for (let pos = 0; pos < b.length; n++) {
    pos++;
    let len = 0;
    let mul = 1;
    for (;;) {
      const x = b[pos++] as number;
      len += (x & 0x7f) * mul;
      if (x < 0x80) break;
      mul *= 128;
    }
    pos += len;
  }
  return n;
}
