/**
 * Benchmark targets in their own process (so serving them costs the measured scrapers nothing):
 * `node targets-child.js <count> <series> [openmetrics]` listens on `count` ports of 127.0.0.1, each
 * serving a generated exposition of about `series` series (text 0.0.4, or OpenMetrics as a client
 * library that negotiates it serves it), with values that change between requests.
 * Prints the ports as one JSON line, then serves until killed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCorpus, toOpenMetrics } from './corpus.js';

const count = Number(process.argv[2] ?? 1);
const series = Number(process.argv[3] ?? 1000);
const om = process.argv[4] === 'openmetrics';
const contentType = om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8';
const variants = [1, 2].map((seed) => (om ? toOpenMetrics(generateCorpus(series, seed).body) : generateCorpus(series, seed).body));
const ports: number[] = [];
let n = 0;
for (let i = 0; i < count; i++) {
  const s = createServer((_req, res) => {
    res.setHeader('content-type', contentType);
    res.end(variants[n++ & 1]);
  });
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  ports.push((s.address() as AddressInfo).port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
