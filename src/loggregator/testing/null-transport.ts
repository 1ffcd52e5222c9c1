import { countBatchEntries } from '../batch-entries.js';
import { GRPC_PREFIX_BYTES, type IngressTransport } from '../client.js';

/**
 * Bench/test only: a transport that accepts every batch at once and forgets it, so a benchmark
 * measures the sink's CPU (encode, queue, batch) and not gRPC's. `sent` counts envelopes.
 */
export function createNullTransport(): IngressTransport & { sent: number } {
  const t = {
    sent: 0,
    ready: () => Promise.resolve(),
    openBatchStream: (onEnd: (err: Error | null) => void) => ({
      write: (message: Buffer, done: (err: Error | null) => void) => {
        t.sent += countBatchEntries(message.subarray(GRPC_PREFIX_BYTES));
        done(null);
      },
      end: () => onEnd(null),
      cancel() {},
    }),
    close() {},
  };
  return t;
}
