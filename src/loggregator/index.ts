export type { BatchStream, IngressTransport } from './client.js';
export { BATCH_SENDER_PATH, GRPC_PREFIX_BYTES } from './client.js';
export type {
  Conversion,
  ConvertOptions,
  CounterFloatPolicy,
  DropReason,
  EnvelopeData,
  EnvelopeKind,
  PreparedEnvelope,
} from './convert.js';
export {
  COUNTER_FLOAT_POLICIES,
  CounterOutcome,
  classifyCounter,
  envelopeShape,
  prepareEnvelope,
  timestampNs,
  toEnvelope,
} from './convert.js';
export { EnvelopeWriter, timestampField } from './encode.js';
export { LoggregatorConfigError, LoggregatorGrpcStatusError, LoggregatorTlsError } from './errors.js';
export type { H2TransportOptions } from './h2-transport.js';
export { createH2IngressTransport } from './h2-transport.js';
export { mergeLabels } from './labels.js';
export type { LoggregatorMetrics } from './metrics.js';
export { BATCH_SIZE_BOUNDS, createLoggregatorMetrics } from './metrics.js';
export type { Envelope, EnvelopeBatch } from './proto.js';
export { EnvelopeBatchSchema, EnvelopeSchema, envelopeToJson, toProtoEnvelope } from './proto.js';
export type { LoggregatorSink, LoggregatorSinkOptions } from './sink.js';
export { createLoggregatorSink } from './sink.js';
export type { TlsFiles } from './tls.js';
export { loadAgentTls, tlsFilesFromEnv } from './tls.js';
