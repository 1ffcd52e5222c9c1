// Writes the ok rows of the conversion table as NDJSON for main.go (run after `npm run build`).
import { prepareEnvelope, toEnvelope } from '../../../../dist/src/loggregator/convert.js';
import { conversionCases, DEFAULT_SOURCE_ID, SCRAPE_MS, TARGET } from '../../../../dist/src/loggregator/testdata/conversion-table.js';

const f = new Float64Array(1);
const u = new BigUint64Array(f.buffer);
for (const c of conversionCases) {
  const r = toEnvelope(
    prepareEnvelope(c.target ?? TARGET, c.series, { defaultSourceId: DEFAULT_SOURCE_ID }),
    c.value,
    c.timestampMs ?? SCRAPE_MS,
    c.policy ?? 'drop',
  );
  if (!r.ok) continue;
  const e = r.envelope;
  const tags = [];
  for (let i = 0; i < e.tags.length; i += 2) tags.push([e.tags[i], e.tags[i + 1]]);
  const o = { name: c.name, ts: String(e.timestampNs), sourceId: e.sourceId, instanceId: e.instanceId, tags };
  if (e.counter) o.counter = { name: e.counter.name, total: String(e.counter.total) };
  else {
    f[0] = e.gauge.value;
    o.gauge = { name: e.gauge.name, unit: e.gauge.unit, bits: String(u[0]) };
  }
  console.log(JSON.stringify(o));
}
