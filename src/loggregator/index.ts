export { BATCH_SENDER_PATH, createGrpcIngressTransport } from './client.js';
export { classifyCounter, CounterOutcome, envelopeShape, prepareEnvelope, timestampNs, toEnvelope } from './convert.js';
export { EnvelopeWriter, timestampField } from './encode.js';
export { LoggregatorConfigError, LoggregatorTlsError } from './errors.js';
export { mergeLabels } from './labels.js';
export { BATCH_SIZE_BOUNDS, createLoggregatorMetrics } from './metrics.js';
export { EnvelopeBatchSchema, EnvelopeSchema, envelopeToJson, toProtoEnvelope } from './proto.js';
export { createLoggregatorSink } from './sink.js';
export { loadAgentTls, tlsFilesFromEnv } from './tls.js';

export type { BatchStream, GrpcTransportOptions, IngressTransport } from './client.js';
export type { ConvertOptions, Conversion, CounterFloatPolicy, DropReason, EnvelopeData, EnvelopeKind, PreparedEnvelope } from './convert.js';
export type { LoggregatorMetrics } from './metrics.js';
export type { Envelope, EnvelopeBatch } from './proto.js';
export type { LoggregatorSink, LoggregatorSinkOptions } from './sink.js';
export type { TlsFiles } from './tls.js';
