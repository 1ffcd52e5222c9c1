import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import type { EnvelopeData } from './convert.js';
import { CounterSchema, type Envelope, EnvelopeSchema, GaugeSchema, GaugeValueSchema } from './gen/loggregator/v2/envelope_pb.js';

export type { Envelope, EnvelopeBatch } from './gen/loggregator/v2/envelope_pb.js';
export { EnvelopeBatchSchema, EnvelopeSchema } from './gen/loggregator/v2/envelope_pb.js';

/** Plain conversion result → generated protobuf-es message (the reference encoding). */
export function toProtoEnvelope(d: EnvelopeData): Envelope {
  const tags: Record<string, string> = {};
  for (let i = 0; i + 1 < d.tags.length; i += 2) tags[d.tags[i] as string] = d.tags[i + 1] as string;
  const message: Envelope['message'] = d.counter
    ? { case: 'counter', value: create(CounterSchema, { name: d.counter.name, total: d.counter.total }) }
    : d.gauge
      ? {
          case: 'gauge',
          value: create(GaugeSchema, {
            metrics: { [d.gauge.name]: create(GaugeValueSchema, { unit: d.gauge.unit, value: d.gauge.value }) },
          }),
        }
      : { case: undefined };
  return create(EnvelopeSchema, { timestamp: d.timestampNs, sourceId: d.sourceId, instanceId: d.instanceId, tags, message });
}

/** Reference binary encoding of one envelope (protobuf-es). */
export function encodeEnvelopeReference(d: EnvelopeData): Uint8Array {
  return toBinary(EnvelopeSchema, toProtoEnvelope(d));
}

/** proto3 JSON with the .proto's JSON names (`source_id`, …), zero values included, one line. */
export function envelopeToJson(e: Envelope): string {
  return toJsonString(EnvelopeSchema, e, { alwaysEmitImplicit: true });
}
