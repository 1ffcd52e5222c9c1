import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLoggregatorSink } from '../src/loggregator/index.js';
import { createNullTransport } from '../src/loggregator/testing/null-transport.js';
import type { ScrapeTarget, SeriesDescriptor, Sink } from '../src/scrape/index.js';
import { DiscardSink, ScrapeManager } from '../src/scrape/index.js';
import { createTestPki } from '../src/testing/certs.js';
import { testJob } from '../src/testing/scrape-job.js';

const target: ScrapeTarget = {
  job: 'bench',
  sourceId: 'bench-app',
  instanceId: '0',
  url: 'http://127.0.0.1:9100/metrics',
  labels: ['instance', '127.0.0.1:9100', 'job', 'bench'],
};

/** 1000 series shaped like a typical exporter: gauges, counters and one histogram per 50 series. */
function benchSeries(n = 1000): SeriesDescriptor[] {
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

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export async function encodePath(report: (line: string) => void): Promise<void> {
  const sink = createLoggregatorSink({
    defaultSourceId: 'd',
    transport: createNullTransport(),
    queueCapacity: 1_000_000,
    batchMaxEnvelopes: 100,
  });
  const series = benchSeries();
  const prepared = series.map((s) => sink.prepare(target, s));
  const values = series.map((s, i) => (s.type === 'gauge' ? i * 1.5 : i * 7));
  const scrapes = 3000;
  // Values change every scrape, as a real target's do; `fresh` scrapes get a new target object
  // each time, so nothing of an earlier scrape can be reused (a target's first scrape).
  const run = (n: number, fresh: boolean): void => {
    for (let k = 0; k < n; k++) {
      const ts = 1700000000000 + k * 1000;
      const app = sink.appender(fresh ? { ...target } : target, ts);
      for (let i = 0; i < prepared.length; i++) app.append(prepared[i] as (typeof prepared)[number], (values[i] as number) + k, ts);
      app.commit();
    }
  };
  const timed = async (fresh: boolean): Promise<number> => {
    const t0 = cpuMicros();
    for (let k = 0; k < scrapes; k += 100) {
      run(100, fresh);
      await sink.flush(Date.now() + 5000);
    }
    return (cpuMicros() - t0) / (scrapes * prepared.length);
  };
  run(300, true); // warm up both paths
  run(300, false);
  await sink.flush(Date.now() + 5000);
  const freshUs = await timed(true);
  const fullUs = await timed(false);
  const t0 = cpuMicros();
  for (let k = 0; k < 20; k++) for (const s of series) sink.prepare(target, s);
  const prepareUs = (cpuMicros() - t0) / (20 * series.length);
  await sink.stop(Date.now() + 1000);
  report(`loggregator: prepare (once per series)                ${prepareUs.toFixed(2)} µs CPU/series`);
  report(`loggregator: append+commit+batch, nothing reusable    ${freshUs.toFixed(3)} µs CPU/sample (a target's first scrape)`);
  report(`loggregator: append+commit+batch, steady state      ${fullUs.toFixed(3)} µs CPU/sample, null transport (goal <= 0.5)`);
}

const AGENT_SCRIPT = `
import { startFakeAgent } from ${JSON.stringify(new URL('../src/loggregator/testing/fake-agent.js', import.meta.url).href)};
const [ca, cert, key] = JSON.parse(process.argv[1]);
const a = await startFakeAgent({ ca, cert, key, decode: false });
process.stdout.write('port ' + a.port + '\\n');
process.stdin.on('data', () => process.stdout.write('count ' + a.received + '\\n'));
process.stdin.on('end', () => { a.kill(); process.exit(0); });
`;

/** Envelopes encoded and sent per second over mTLS gRPC to an agent in a child process. */
export async function sendPath(report: (line: string) => void, batchMaxEnvelopes: number, maxInFlightBatches = 1): Promise<void> {
  const pki = createTestPki('bench CA');
  const server = pki.issue('metron', { sans: ['metron'] });
  const client = pki.issue('bench-client');
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', AGENT_SCRIPT, JSON.stringify([pki.ca.cert, server.cert, server.key])],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf('\n');
    while (nl !== -1) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
    wake?.();
  });
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((r) => (wake = r));
    return lines.shift() as string;
  };
  try {
    const port = Number((await nextLine()).split(' ')[1]);
    const total = 500_000;
    const sink = createLoggregatorSink({
      defaultSourceId: 'd',
      address: `127.0.0.1:${port}`,
      tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
      queueCapacity: total,
      batchMaxEnvelopes,
      maxInFlightBatches,
    });
    const series = benchSeries();
    const prepared = series.map((s) => sink.prepare(target, s));
    const received = async (): Promise<number> => {
      child.stdin.write('?\n');
      return Number((await nextLine()).split(' ')[1]);
    };
    const t0 = performance.now();
    const c0 = cpuMicros();
    for (let k = 0; k < total / prepared.length; k++) {
      const app = sink.appender(target, Date.now());
      for (let i = 0; i < prepared.length; i++) app.append(prepared[i] as (typeof prepared)[number], i + k, 1700000000000 + k);
      app.commit();
      // Let the stream make progress between scrapes, as a real scrape loop does.
      if (k % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    await sink.flush(Date.now() + 60_000);
    const cpu = cpuMicros() - c0;
    while ((await received()) < sink.metrics.envelopesSent) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t0) / 1000;
    const sent = sink.metrics.envelopesSent;
    await sink.stop(Date.now() + 2000);
    report(
      `loggregator: mTLS gRPC to a local agent (child process) ${Math.round(sent / seconds)} envelopes/s, ${(cpu / sent).toFixed(2)} µs CPU/envelope in the sender, batches of ${batchMaxEnvelopes}, ${maxInFlightBatches} in flight`,
    );
    if (sent !== total)
      report(`loggregator: WARNING only ${sent} of ${total} sent (dropped: ${JSON.stringify(sink.metrics.envelopesDropped)})`);
  } finally {
    child.stdin.end();
  }
}

/**
 * The exposition text of `benchSeries()` at scrape `k`, as a live target would serve it: counters
 * grow by varying steps (now and then crossing a varint length), gauges wander, one in 20
 * gauges sits at 0 every other scrape (proto3 then leaves the value out).
 */
function benchExposition(k: number): string {
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

/**
 * The scrape engine on a local HTTP target, once with a sink that discards and once with the
 * Loggregator sink (null transport): the CPU difference per sample is what the sink adds.
 */
export async function engineDelta(report: (line: string) => void): Promise<void> {
  // Rendered up front so the target costs the same whatever the sink; values change every scrape.
  const bodies = Array.from({ length: 64 }, (_, k) => Buffer.from(benchExposition(k)));
  let served = 0;
  const http = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(bodies[served++ % bodies.length]);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  // One manager per sink for the whole run: steady state, series cache warm, prepare done once.
  const managerFor = (sink: Sink): ScrapeManager => {
    const m = new ScrapeManager({ sink, defaultSourceId: 'd', logger, offsetSeed: 'bench', maxConcurrentScrapes: 1 });
    m.sync([testJob({ jobName: 'bench', targets: [addr] })], { start: false });
    return m;
  };
  const run = async (m: ScrapeManager, sink: Sink, scrapes: number): Promise<{ us: number; samples: number }> => {
    let samples = 0;
    const c0 = cpuMicros();
    for (let i = 0; i < scrapes; i++) {
      const [r] = await m.scrapeAll();
      samples += r?.result.samples ?? 0;
      if (i % 50 === 49) await sink.flush(Date.now() + 5000);
    }
    return { us: cpuMicros() - c0, samples };
  };
  const logg = createLoggregatorSink({ defaultSourceId: 'd', transport: createNullTransport(), queueCapacity: 1_000_000 });
  const discard = new DiscardSink();
  const mDiscard = managerFor(discard);
  const mLogg = managerFor(logg);
  await run(mDiscard, discard, 200);
  await run(mLogg, logg, 200);
  // Interleaved rounds, median of the per-round figures: the machine may be busy with others.
  const bases: number[] = [];
  const sinks: number[] = [];
  for (let round = 0; round < 7; round++) {
    const a = await run(mDiscard, discard, 200);
    const b = await run(mLogg, logg, 200);
    bases.push(a.us / a.samples);
    sinks.push(b.us / b.samples);
  }
  await mDiscard.stop();
  await mLogg.stop();
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
  await logg.stop(Date.now() + 1000);
  http.close();
  const perBase = median(bases);
  const perSink = median(sinks);
  report(
    `loggregator: scrape engine, local HTTP target, 1000 series: ${perBase.toFixed(2)} µs CPU/sample discarding, ${perSink.toFixed(2)} with the Loggregator sink (null transport): ${perSink >= perBase ? '+' : ''}${(perSink - perBase).toFixed(2)} µs/sample (goal <= 0.5)`,
  );
}

export async function benchLoggregator(report: (line: string) => void): Promise<void> {
  await encodePath(report);
  await engineDelta(report);
  await sendPath(report, 100);
  await sendPath(report, 1000);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchLoggregator((l) => console.log(l));
}
