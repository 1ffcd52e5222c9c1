import type { SeriesDescriptor } from '../src/scrape/index.js';

/** 1000 series shaped like a typical exporter: gauges, counters and one histogram per 50 series. */
export function benchSeries(n = 1000): SeriesDescriptor[] {
  const out: SeriesDescriptor[] = [];
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  for (let i = 0; out.length < n; i++) {
    const common = ['code', String(200 + (i % 5)), 'instance', '127.0.0.1:9100', 'job', 'bench', 'method', i % 2 ? 'GET' : 'POST'];
    out.push({ type: 'gauge', family: `g_${i}`, name: `g_${i}`, labels: [...common, 'unit', 'bytes'] });
    out.push({ type: 'counter', family: `c_${i}_total`, name: `c_${i}_total`, labels: common });
    if (i % 5 === 0) {
      for (const le of les)
        out.push({
          type: 'histogram',
          family: `h_${i}`,
          name: `h_${i}_bucket`,
          labels: [...common.slice(0, 4), 'le', le, ...common.slice(4)],
        });
      out.push({ type: 'histogram', family: `h_${i}`, name: `h_${i}_sum`, labels: common });
      out.push({ type: 'histogram', family: `h_${i}`, name: `h_${i}_count`, labels: common });
    }
  }
  return out.slice(0, n);
}

/**
 * The exposition text of `benchSeries()` at scrape `k`, as a live target would serve it: counters
 * grow by varying steps (now and then crossing a varint length), gauges wander, one in 20
 * gauges sits at 0 every other scrape (proto3 then leaves the value out).
 */
export function benchExposition(k: number): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const s of benchSeries()) {
    if (!seen.has(s.family)) {
      seen.add(s.family);
      lines.push(`# TYPE ${s.family} ${s.type}`);
    }
    const l: string[] = [];
    for (let i = 0; i < s.labels.length; i += 2)
      if (s.labels[i] !== 'instance' && s.labels[i] !== 'job') l.push(`${s.labels[i]}="${s.labels[i + 1]}"`);
    n++;
    const gauge = s.type === 'gauge' || s.name.endsWith('_sum');
    const value = gauge ? (n % 20 === 0 && k % 2 === 0 ? 0 : Math.sin(n + k) * 1000) : n * 100 + k * (n % 7);
    lines.push(`${s.name}{${l.join(',')}} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
