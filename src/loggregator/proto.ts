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

/**
 * Reference binary encoding of one envelope, built with protobuf-es in the Go client's field
 * order: protobuf-es writes fields by number (oneof 5/6 before instance_id 8 and tags 9), while
 * protobuf-go writes the oneof last. Both decode to the same message; we send Go's bytes.
 */
export function encodeEnvelopeReference(d: EnvelopeData): Uint8Array {
  const e = toProtoEnvelope(d);
  const message = e.message;
  e.message = { case: undefined };
  const plain = toBinary(EnvelopeSchema, e);
  const oneof = toBinary(EnvelopeSchema, create(EnvelopeSchema, { message }));
  const out = new Uint8Array(plain.length + oneof.length);
  out.set(plain, 0);
  out.set(oneof, plain.length);
  return out;
}

/** proto3 JSON with the .proto's JSON names (`source_id`, …), zero values included, one line. */
export function envelopeToJson(e: Envelope): string {
  return toJsonString(EnvelopeSchema, e, { alwaysEmitImplicit: true });
}
