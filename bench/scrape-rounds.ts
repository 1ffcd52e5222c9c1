/**
 * Scrapes of one target in-process, no HTTP: the corpus body fed in 64 KiB chunks through the
 * stream parser with the scrape engine's visitor and a discarding sink, as the scrape loop does.
 * Small changes to the parse path are measured in instructions, since timings on a shared VM
 * move by up to 2x within minutes; the difference of two round counts leaves the per-series cost:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded \
 *     dist/bench/scrape-rounds.js <series> <rounds> [first|steady] [text|openmetrics]
 *
 * for rounds 4 and 10, (Ir(10) - Ir(4)) / (6 * series). With `--perf-basic-prof`, the addresses
 * callgrind reports for JIT code are named in /tmp/perf-<pid>.map. `first`: a new cache every
 * round (every series new); `steady`: one cache (every line predicted after the first round).
 */
import { ExpositionStreamParser } from '../src/exposition/index.js';
import { compileRelabelConfigs } from '../src/relabel/index.js';
import { buildTargets, DiscardSink, SeriesCache } from '../src/scrape/index.js';
import { ScrapeRun } from '../src/scrape/scrape-run.js';
import { testJob } from '../src/testing/scrape-job.js';
import { generateCorpus, toOpenMetrics } from './corpus.js';

const series = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 4);
const steady = process.argv[4] === 'steady';
const openMetrics = process.argv[5] === 'openmetrics';
const bodies = [1, 2].map((seed) => {
  const body = generateCorpus(series, seed).body;
  return Buffer.from(openMetrics ? toOpenMetrics(body) : body);
});
const contentType = openMetrics ? 'application/openmetrics-text; version=1.0.0' : 'text/plain; version=0.0.4';
const job = testJob({ jobName: 'rounds', targets: ['127.0.0.1:9'] });
const relabel = compileRelabelConfigs([], 'rounds');
const target = buildTargets(job, job.staticConfigs, relabel, 'rounds').targets[0];
if (target === undefined) throw new Error('no target');
const sink = new DiscardSink();
const readBuffer = Buffer.allocUnsafe(64 * 1024);
let cache = new SeriesCache();
const cpu0 = process.cpuUsage();
for (let r = 0; r < rounds; r++) {
  if (!steady) cache = new SeriesCache();
  cache.begin();
  const appender = sink.appender();
  const parser = new ExpositionStreamParser({
    contentType,
    visitor: new ScrapeRun(target, cache, relabel, sink, appender, Date.now()),
    keepHelp: false,
  });
  cache.setFormat(parser.format);
  const body = bodies[r & 1] as Buffer;
  for (let off = 0; off < body.length; off += readBuffer.length) {
    const n = Math.min(readBuffer.length, body.length - off);
    body.copy(readBuffer, 0, off, off + n);
    parser.push(readBuffer.subarray(0, n));
  }
  parser.end();
  cache.commit();
}
// CPU time too, for timing runs without valgrind (all threads: the garbage collector's included).
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ series, rounds, samples: sink.samples, cpuUsPerSample: (cpu.user + cpu.system) / sink.samples })}\n`,
);
