import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { CounterOutcome, classifyCounter, counterDecision, counterTotal, prepareEnvelope, timestampNs, toEnvelope } from './convert.js';
import { EnvelopeWriter, timestampField } from './encode.js';
import { EnvelopeBatchSchema, encodeEnvelopeReference } from './proto.js';
import { conversionCases, DEFAULT_SOURCE_ID, SCRAPE_MS, TARGET } from './testdata/conversion-table.js';
import { goEnvelopes } from './testdata/go-envelopes.js';

/** Hand-encodes one sample the way the sink does (framed as an EnvelopeBatch entry). */
function handEncode(w: EnvelopeWriter, c: (typeof conversionCases)[number]): boolean {
  const p = prepareEnvelope(c.target ?? TARGET, c.series, { defaultSourceId: DEFAULT_SOURCE_ID });
  const ts = timestampField(timestampNs(c.timestampMs ?? SCRAPE_MS));
  if (p.kind === 'gauge') {
    w.writeGauge(p, ts, c.value);
    return true;
  }
  const outcome = classifyCounter(c.value);
  const d = counterDecision(outcome, c.policy ?? 'drop');
  if (d === 'total') {
    if (outcome === CounterOutcome.EXACT && c.value < 2 ** 53) w.writeCounter(p, ts, c.value);
    else w.writeCounterBig(p, ts, counterTotal(c.value, outcome));
    return true;
  }
  if (d === 'gauge') {
    w.writeGauge(p, ts, c.value);
    return true;
  }
  return false;
}

for (const c of conversionCases) {
  if ('drop' in c.want) continue;
  test(`hand encoder agrees with protobuf-es byte for byte: ${c.name}`, () => {
    const r = toEnvelope(
      prepareEnvelope(c.target ?? TARGET, c.series, { defaultSourceId: DEFAULT_SOURCE_ID }),
      c.value,
      c.timestampMs ?? SCRAPE_MS,
      c.policy ?? 'drop',
    );
    assert.ok(r.ok);
    if (!r.ok) return;
    const ref = encodeEnvelopeReference(r.envelope);
    const w = new EnvelopeWriter(8);
    assert.ok(handEncode(w, c));
    const framed = w.buf.subarray(0, w.pos);
    // Strip the batch framing: tag 0x0a + varint length.
    let i = 1;
    while ((framed[i] as number) & 0x80) i++;
    assert.deepEqual(Buffer.from(framed.subarray(i + 1)).toString('hex'), Buffer.from(ref).toString('hex'));
  });
}

test('concatenated entries form an EnvelopeBatch that protobuf-es decodes', () => {
  const w = new EnvelopeWriter(16);
  let n = 0;
  for (const c of conversionCases) if (handEncode(w, c)) n++;
  assert.equal(w.count, n);
  const bytes = w.buf.subarray(0, w.pos);
  assert.equal(w.ends[w.count - 1], bytes.length);
  const batch = fromBinary(EnvelopeBatchSchema, bytes);
  assert.equal(batch.batch.length, n);
});

test('hand encoder writes exactly what protobuf-go writes, for every sendable row', () => {
  assert.equal(goEnvelopes.length, conversionCases.filter((c) => !('drop' in c.want)).length);
  for (const g of goEnvelopes) {
    const c = conversionCases.find((x) => x.name === g.name);
    assert.ok(c, g.name);
    const w = new EnvelopeWriter(8);
    assert.ok(handEncode(w, c));
    const framed = w.buf.subarray(0, w.pos);
    let i = 1;
    while ((framed[i] as number) & 0x80) i++;
    assert.equal(Buffer.from(framed.subarray(i + 1)).toString('hex'), g.hex, g.name);
  }
});

test('prepared bytes of long and non-ASCII strings, empty values and ids: as protobuf-es writes them', () => {
  const long = 'x'.repeat(200);
  const uni = 'ü€😀'.repeat(50);
  const cases = [
    { type: 'gauge' as const, family: 'g', name: 'g', labels: ['a', '', 'b', long, 'c', uni, 'unit', 'by€'] },
    { type: 'counter' as const, family: uni, name: uni, labels: [long, uni, 'source_id', 'own'] },
    { type: 'gauge' as const, family: 'g', name: long + long, labels: [] },
  ];
  const targets = [TARGET, { ...TARGET, sourceId: '', instanceId: '' }, { ...TARGET, sourceId: long, instanceId: uni }];
  for (const target of targets) {
    for (const series of cases) {
      for (const value of [0, 3, 2.5]) {
        const p = prepareEnvelope(target, series, { defaultSourceId: DEFAULT_SOURCE_ID });
        const r = toEnvelope(p, value, SCRAPE_MS, 'gauge');
        assert.ok(r.ok);
        if (!r.ok) continue;
        const w = new EnvelopeWriter(8);
        const ts = timestampField(timestampNs(SCRAPE_MS));
        if (p.kind === 'gauge' || !Number.isInteger(value)) w.writeGauge(p, ts, value);
        else w.writeCounter(p, ts, value);
        const framed = w.buf.subarray(0, w.pos);
        let i = 1;
        while ((framed[i] as number) & 0x80) i++;
        assert.equal(Buffer.from(framed.subarray(i + 1)).toString('hex'), Buffer.from(encodeEnvelopeReference(r.envelope)).toString('hex'));
      }
    }
  }
});
