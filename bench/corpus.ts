/**
 * Deterministic exposition corpora for benchmarks: a realistic mix of counters, gauges,
 * 10-bucket histograms and summaries with 3–6 labels each and HELP/TYPE lines.
 */
import { seededRandom } from '../src/testing/seeded-random.js';

const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
const QUANTILES = ['0.5', '0.9', '0.99'];
const LABEL_POOL = [
  ['method', ['GET', 'POST', 'PUT', 'DELETE']],
  ['status', ['200', '201', '204', '400', '404', '500']],
  ['handler', ['/api/v1/query', '/api/v1/series', '/metrics', '/healthz', '/v2/apps']],
  ['instance_id', ['0a1b2c3d-0001', '0a1b2c3d-0002', '0a1b2c3d-0003']],
  ['region', ['eu-west-1', 'us-east-1']],
  ['component', ['gorouter', 'doppler', 'cloud_controller', 'uaa']],
] as const;

export interface Corpus {
  body: Buffer;
  series: number;
  families: number;
}

export function generateCorpus(targetSeries: number, seed = 42): Corpus {
  const rand = seededRandom(seed).next; // the same corpus on every run and machine
  const lines: string[] = [];
  let series = 0;
  let families = 0;
  const types = ['counter', 'gauge', 'histogram', 'summary', 'counter', 'gauge'] as const;
  while (series < targetSeries) {
    const type = types[families % types.length] as (typeof types)[number];
    const name = `cf_component_${type}_${families}${type === 'counter' ? '_total' : type === 'histogram' || type === 'summary' ? '_seconds' : ''}`;
    families++;
    lines.push(`# HELP ${name} A ${type} of the platform, number ${families}.`);
    lines.push(`# TYPE ${name} ${type}`);
    const nLabels = 3 + (families % 4);
    const perFamily = type === 'histogram' ? 4 : type === 'summary' ? 6 : 20;
    for (let k = 0; k < perFamily && series < targetSeries; k++) {
      const parts: string[] = [];
      for (let i = 0; i < nLabels; i++) {
        const [ln, values] = LABEL_POOL[i] as (typeof LABEL_POOL)[number];
        parts.push(`${ln}="${values[(k + i * 7) % values.length]}"`);
      }
      parts.push(`shard="${k}"`);
      const ls = parts.join(',');
      if (type === 'histogram') {
        let cum = 0;
        for (const le of BUCKETS) {
          cum += Math.floor(rand() * 100);
          lines.push(`${name}_bucket{${ls},le="${le}"} ${cum}`);
        }
        lines.push(`${name}_sum{${ls}} ${(rand() * 1000).toFixed(6)}`);
        lines.push(`${name}_count{${ls}} ${cum}`);
        series += BUCKETS.length + 2;
      } else if (type === 'summary') {
        for (const q of QUANTILES) lines.push(`${name}{${ls},quantile="${q}"} ${(rand() / 10).toExponential(4)}`);
        lines.push(`${name}_sum{${ls}} ${(rand() * 100).toFixed(3)}`);
        lines.push(`${name}_count{${ls}} ${Math.floor(rand() * 1e6)}`);
        series += QUANTILES.length + 2;
      } else {
        const v = type === 'counter' ? String(Math.floor(rand() * 1e9)) : (rand() * 1e4).toFixed(2);
        lines.push(`${name}{${ls}} ${v}`);
        series++;
      }
    }
  }
  return { body: Buffer.from(`${lines.join('\n')}\n`), series, families };
}

/**
 * The same exposition as OpenMetrics 1.0, as a client library negotiating it serves it: counter
 * families are named without `_total` in HELP/TYPE, and the body ends with `# EOF`.
 */
export function toOpenMetrics(text: Buffer): Buffer {
  const lines = text.toString('latin1').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const m = /^# (HELP|TYPE) (\S+)_total (.*)$/.exec(line);
    out.push(m !== null && (m[1] === 'HELP' || m[3] === 'counter') ? `# ${m[1]} ${m[2]} ${m[3]}` : line);
  }
  out.push('# EOF');
  return Buffer.from(`${out.join('\n')}\n`, 'latin1');
}
