/** `/loggregator.v2.Ingress/BatchSender`: client stream of EnvelopeBatch → BatchSenderResponse {}. */
export const BATCH_SENDER_PATH = '/loggregator.v2.Ingress/BatchSender';

/** In front of every gRPC message: the compressed flag (0) and the 4-byte big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/** One open BatchSender stream. */
export interface BatchStream {
  /**
   * Writes one gRPC length-prefixed message (`GRPC_PREFIX_BYTES` of prefix, then the encoded
   * EnvelopeBatch). The transport may hold `message` until `done`: the caller reuses it only then.
   */
  write(message: Buffer, done: (err: Error | null) => void): void;
  /** Half-closes the stream (CloseSend); the agent then answers and `onEnd` fires. */
  end(): void;
  cancel(): void;
}

/** The I/O seam the sender policy drives: a channel that can be awaited and streams opened on it. */
export interface IngressTransport {
  /** Resolves once the channel is connected, rejects at `deadline` (ms since epoch). */
  ready(deadline: number): Promise<void>;
  /** `onEnd` fires once (never from within this call), with null when the agent closed the stream cleanly. */
  openBatchStream(onEnd: (err: Error | null) => void): BatchStream;
  close(): void;
}
