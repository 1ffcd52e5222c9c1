import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLoggregatorSink } from '../src/loggregator/index.js';
import { createNullTransport } from '../src/loggregator/testing/null-transport.js';
import type { ScrapeTarget, Sink } from '../src/scrape/index.js';
import { DiscardSink, ScrapeManager } from '../src/scrape/index.js';
import { createTestPki } from '../src/testing/certs.js';
import { testJob } from '../src/testing/scrape-job.js';
import { median } from './harness.js';
import { benchSeries } from './loggregator-corpus.js';

const target: ScrapeTarget = {
  job: 'bench',
  sourceId: 'bench-app',
  instanceId: '0',
  url: 'http://127.0.0.1:9100/metrics',
  labels: ['instance', '127.0.0.1:9100', 'job', 'bench'],
};

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

type AgentMode = 'grpc-js' | 'wide';

const AGENT_LABEL: Record<AgentMode, string> = {
  'grpc-js': 'grpc-js agent, 64 KiB HTTP/2 windows',
  wide: 'agent with 16 MiB HTTP/2 windows, like grpc-go after BDP growth',
};

interface BenchChild {
  agentPort: number;
  targetPort: number;
  /** Envelopes the agent has received so far. */
  received(): Promise<number>;
  tls: { caFile: string; certFile: string; keyFile: string };
  stop(): void;
}

/** The agent and the scraped target in a child process (see loggregator-agent-child.ts). */
async function startChild(mode: AgentMode): Promise<BenchChild> {
  const pki = createTestPki('bench CA');
  const server = pki.issue('metron', { sans: ['metron'] });
  const client = pki.issue('bench-client');
  const script = fileURLToPath(new URL('./loggregator-agent-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify([pki.ca.cert, server.cert, server.key]), mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
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
  const ports = JSON.parse(await nextLine()) as { agent: number; target: number };
  return {
    agentPort: ports.agent,
    targetPort: ports.target,
    received: async () => {
      child.stdin.write('?\n');
      return Number(await nextLine());
    },
    tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    stop: () => child.stdin.end(),
  };
}

/**
 * Throughput: a backlog of 500k envelopes (500 scrapes queued faster than they can be sent, as
 * after an agent outage) encoded and drained over mTLS gRPC to an agent in a child process.
 * Not the steady state: the backlog's batch buffers and GC make it dearer per envelope.
 */
export async function sendPath(report: (line: string) => void, batchMaxEnvelopes: number, mode: AgentMode = 'grpc-js'): Promise<void> {
  const child = await startChild(mode);
  try {
    const total = 500_000;
    const sink = createLoggregatorSink({
      defaultSourceId: 'd',
      address: `127.0.0.1:${child.agentPort}`,
      tls: child.tls,
      queueCapacity: total,
      batchMaxEnvelopes,
    });
    const series = benchSeries();
    const prepared = series.map((s) => sink.prepare(target, s));
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
    // A completed write has only been handed to HTTP/2 and TLS: count the CPU until the agent has it all.
    while ((await child.received()) < sink.metrics.envelopesSent) await new Promise((r) => setTimeout(r, 1));
    const cpu = cpuMicros() - c0;
    const seconds = (performance.now() - t0) / 1000;
    const sent = sink.metrics.envelopesSent;
    await sink.stop(Date.now() + 2000);
    report(
      `loggregator: 500k-envelope backlog drained over mTLS gRPC, ${AGENT_LABEL[mode]}: ${Math.round(sent / seconds)} envelopes/s, ${(cpu / sent).toFixed(2)} µs CPU/envelope in the sender, batches of ${batchMaxEnvelopes}`,
    );
    if (sent !== total)
      report(`loggregator: WARNING only ${sent} of ${total} sent (dropped: ${JSON.stringify(sink.metrics.envelopesDropped)})`);
  } finally {
    child.stop();
  }
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

/**
 * The issue's goal, end to end: the scrape engine on a local HTTP target (1000 series, values
 * changing every scrape, served from a child process) with a discarding sink, with the
 * Loggregator sink on a null transport, and with the Loggregator sink sending over mutual-TLS
 * gRPC to an agent in that child process. CPU is this process's only (all its threads:
 * scraping, encoding, gRPC, TLS, GC); the difference per sample is what the sink adds.
 * Managers run in interleaved rounds; the figure is the median round.
 */
export async function engineEndToEnd(report: (line: string) => void, mode: AgentMode, batchMaxEnvelopes?: number): Promise<void> {
  const child = await startChild(mode);
  const addr = `127.0.0.1:${child.targetPort}`;
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  // One manager per sink for the whole run: steady state, series cache warm, prepare done once.
  const managerFor = (sink: Sink): ScrapeManager => {
    const m = new ScrapeManager({ sink, defaultSourceId: 'd', logger, offsetSeed: 'bench', maxConcurrentScrapes: 1 });
    m.sync([testJob({ jobName: 'bench', targets: [addr] })], { start: false });
    return m;
  };
  const discard = new DiscardSink();
  const nullSink = createLoggregatorSink({ defaultSourceId: 'd', transport: createNullTransport() });
  const grpcSink = createLoggregatorSink({
    defaultSourceId: 'd',
    address: `127.0.0.1:${child.agentPort}`,
    tls: child.tls,
    ...(batchMaxEnvelopes === undefined ? {} : { batchMaxEnvelopes }),
  });
  const cases = [
    { sink: discard as Sink, m: managerFor(discard), perSample: [] as number[] },
    { sink: nullSink as Sink, m: managerFor(nullSink), perSample: [] as number[] },
    { sink: grpcSink as Sink, m: managerFor(grpcSink), perSample: [] as number[] },
  ];
  // Scrapes run back to back, far faster than a real schedule; a flush every 5 scrapes keeps the
  // default queue (10000 envelopes) from overflowing, so nothing is dropped instead of sent.
  const run = async (c: (typeof cases)[number], scrapes: number): Promise<number> => {
    let samples = 0;
    const c0 = cpuMicros();
    for (let i = 0; i < scrapes; i++) {
      const [r] = await c.m.scrapeAll();
      samples += r?.result.samples ?? 0;
      if (i % 5 === 4) await c.sink.flush(Date.now() + 10_000);
    }
    // A completed write has only been handed to HTTP/2 and TLS, not to the agent: wait for the
    // agent, or the rest of that work would be billed to the next round.
    if (c.sink === grpcSink) while ((await child.received()) < grpcSink.metrics.envelopesSent) await new Promise((r) => setTimeout(r, 1));
    return (cpuMicros() - c0) / samples;
  };
  try {
    for (const c of cases) await run(c, 300);
    for (let round = 0; round < 7; round++) for (const c of cases) c.perSample.push(await run(c, 200));
    for (const c of cases) await c.m.stop();
    const sent = grpcSink.metrics.envelopesSent;
    const dropped = Object.values(grpcSink.metrics.envelopesDropped).reduce((a, b) => a + b, 0);
    await nullSink.stop(Date.now() + 1000);
    await grpcSink.stop(Date.now() + 5000);
    const received = await child.received();
    const [base, withNull, withGrpc] = cases.map((c) => median(c.perSample)) as [number, number, number];
    const batches = grpcSink.metrics.batchSize.count;
    report(
      `loggregator: scrape engine, local HTTP target, 1000 series: ${base.toFixed(2)} µs CPU/sample discarding; Loggregator sink, null transport ${signed(withNull - base)} µs/sample; Loggregator sink over mTLS gRPC (${AGENT_LABEL[mode]}) ${signed(withGrpc - base)} µs/sample (goal <= +0.5; ${Math.round(sent / Math.max(1, batches))} envelopes/batch)`,
    );
    if (dropped > 0 || received < sent)
      report(`loggregator: WARNING ${dropped} envelopes dropped, agent received ${received} of ${sent} sent`);
  } finally {
    child.stop();
  }
}

export async function benchLoggregator(report: (line: string) => void): Promise<void> {
  await encodePath(report);
  await engineEndToEnd(report, 'grpc-js');
  await engineEndToEnd(report, 'wide');
  await engineEndToEnd(report, 'wide', 1000);
  await sendPath(report, 100);
  await sendPath(report, 1000);
  await sendPath(report, 1000, 'wide');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchLoggregator((l) => console.log(l));
}
