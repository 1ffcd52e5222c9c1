import type { SecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

/** `/loggregator.v2.Ingress/BatchSender`: client stream of EnvelopeBatch → BatchSenderResponse {}. */
export const BATCH_SENDER_PATH = '/loggregator.v2.Ingress/BatchSender';

/** One open BatchSender stream; each write is one already-encoded EnvelopeBatch. */
export interface BatchStream {
  write(batch: Buffer, done: (err: Error | null) => void): void;
  /** Half-closes the stream (CloseSend); the agent then answers and `onEnd` fires. */
  end(): void;
  cancel(): void;
}

/** The I/O seam the sender policy drives: a channel that can be awaited and streams opened on it. */
export interface IngressTransport {
  /** Resolves once the channel is connected, rejects at `deadline` (ms since epoch). */
  ready(deadline: number): Promise<void>;
  /** `onEnd` fires once, with null when the agent closed the stream cleanly. */
  openBatchStream(onEnd: (err: Error | null) => void): BatchStream;
  close(): void;
}

export interface GrpcTransportOptions {
  /** `host:port` of the agent's v2 ingress, e.g. `127.0.0.1:3458`. */
  address: string;
  secureContext: SecureContext;
  /** Name the agent certificate must carry (`metron`), whatever address is dialled. */
  serverName: string;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

const passThrough = (b: Buffer): Buffer => b;
const ignoreResponse = (): object => ({});

export function createGrpcIngressTransport(o: GrpcTransportOptions): IngressTransport {
  const creds = grpc.credentials.createFromSecureContext(o.secureContext);
  const client = new grpc.Client(o.address, creds, {
    'grpc.ssl_target_name_override': o.serverName,
    'grpc.default_authority': o.serverName,
    // The agent enforces MinTime = 10 s with PermitWithoutStream: never ping more often.
    'grpc.keepalive_time_ms': o.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': o.reconnectInitialMs,
    'grpc.max_reconnect_backoff_ms': o.reconnectMaxMs,
    'grpc.enable_retries': 0,
  });
  return {
    ready(deadline) {
      return new Promise((resolve, reject) => {
        client.waitForReady(deadline, (err) => (err ? reject(err) : resolve()));
      });
    },
    openBatchStream(onEnd) {
      let ended = false;
      const finish = (err: Error | null): void => {
        if (ended) return;
        ended = true;
        onEnd(err);
      };
      const call = client.makeClientStreamRequest<Buffer, object>(BATCH_SENDER_PATH, passThrough, ignoreResponse, (err) =>
        finish(err ?? null),
      );
      // Write failures also surface as the call's status; the listener keeps them from throwing.
      call.on('error', (err: Error) => finish(err));
      return {
        write(batch, done) {
          call.write(batch, (err: Error | null | undefined) => done(err ?? null));
        },
        end() {
          call.end();
        },
        cancel() {
          call.cancel();
        },
      };
    },
    close() {
      client.close();
    },
  };
}
