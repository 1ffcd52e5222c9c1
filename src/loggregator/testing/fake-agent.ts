import { fromBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { countBatchEntries, frameBatchEntry } from '../batch-entries.js';
import { type Envelope, EnvelopeBatchSchema } from '../proto.js';

/** Test/bench only: a Loggregator Agent v2 ingress (mTLS gRPC) on 127.0.0.1 that records what it gets. */
export interface FakeAgent {
  port: number;
  envelopes: Envelope[];
  /** Raw EnvelopeBatch messages as received on BatchSender. */
  batches: Buffer[];
  /** Envelope count only (when `decode` is false). */
  received: number;
  /** Resolves once `n` envelopes arrived in total; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Graceful: lets streams finish (the client's CloseSend gets an answer). */
  stop(): Promise<void>;
  /** Like a killed agent: connections dropped at once. */
  kill(): void;
}

export interface FakeAgentOptions {
  ca: string;
  cert: string;
  key: string;
  port?: number;
  /** Decode every envelope (tests) or just count them (benchmarks). */
  decode?: boolean;
}

const pass = (b: Buffer): Buffer => b;
const empty = (): Buffer => Buffer.alloc(0);

export async function startFakeAgent(o: FakeAgentOptions): Promise<FakeAgent> {
  const server = new grpc.Server();
  const decode = o.decode ?? true;
  const waiters: { n: number; resolve: () => void }[] = [];
  const agent: FakeAgent = {
    port: 0,
    envelopes: [],
    batches: [],
    received: 0,
    waitFor(n, timeoutMs = 5000) {
      if (agent.received >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`fake agent: ${agent.received} of ${n} envelopes after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
    kill: () => server.forceShutdown(),
  };
  const record = (buf: Buffer): void => {
    if (decode) {
      agent.batches.push(buf);
      const batch = fromBinary(EnvelopeBatchSchema, buf);
      agent.envelopes.push(...batch.batch);
      agent.received += batch.batch.length;
    } else agent.received += countBatchEntries(buf);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i] as { n: number; resolve: () => void };
      if (agent.received >= w.n) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  const method = (path: string, requestStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
    path,
    requestStream,
    responseStream: false,
    requestSerialize: pass,
    requestDeserialize: pass,
    responseSerialize: pass,
    responseDeserialize: pass,
  });
  server.addService(
    {
      Sender: method('/loggregator.v2.Ingress/Sender', true),
      BatchSender: method('/loggregator.v2.Ingress/BatchSender', true),
      Send: method('/loggregator.v2.Ingress/Send', false),
    },
    {
      Sender: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        // Each message is one Envelope: frame it as a one-entry batch.
        call.on('data', (b: Buffer) => record(frameBatchEntry(b)));
        call.on('end', () => cb(null, empty()));
      },
      BatchSender: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        call.on('data', record);
        call.on('end', () => cb(null, empty()));
        call.on('error', () => {});
      },
      Send: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        record(call.request);
        cb(null, empty());
      },
    },
  );
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(o.ca),
    [{ cert_chain: Buffer.from(o.cert), private_key: Buffer.from(o.key) }],
    true,
  );
  agent.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${o.port ?? 0}`, creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
  return agent;
}
