import { createRequire } from 'node:module';
import { parseExposition } from '../src/exposition/index.js';
import { generateCorpus, toOpenMetrics } from './corpus.js';
import type { Report } from './harness.js';
import { fmt, timeIt } from './harness.js';

type PeerParse = (text: string) => unknown[];

/**
 * Text-format parsing throughput, ours (labels materialized as strings) against the npm package
 * parse-prometheus-text-format measured in the same run; and the same series as OpenMetrics. The peer gets a pre-decoded string
 * (decoding not counted for it, which favours it).
 */
export async function benchExposition(report: Report): Promise<void> {
  const require = createRequire(import.meta.url);
  const peer = require('parse-prometheus-text-format') as PeerParse;
  for (const size of [1_000, 100_000]) {
    const { body, series, families } = generateCorpus(size);
    const text = body.toString('utf8');
    let checked = 0;
    const ours = timeIt(() => {
      const fams = parseExposition(body, { format: 'text' });
      checked = fams.reduce((n, f) => n + f.samples.length, 0);
    });
    if (checked !== series) throw new Error(`parser returned ${checked} samples, expected ${series}`);
    const theirs = timeIt(() => {
      peer(text);
    });
    const mb = body.length / 1e6;
    report(
      `exposition parse ${series} series (${families} families, ${fmt(mb, 2)} MB): cf-prom ${fmt(mb / ours)} MB/s ${fmt(series / ours / 1e6, 2)} M samples/s | parse-prometheus-text-format ${fmt(mb / theirs)} MB/s ${fmt(series / theirs / 1e6, 2)} M samples/s | ratio ${fmt(theirs / ours, 2)}x`,
    );
    // No npm package parses OpenMetrics: the same series as OpenMetrics, against our text parse.
    const om = toOpenMetrics(body);
    const omSecs = timeIt(() => {
      parseExposition(om, { format: 'openmetrics' });
    });
    report(
      `exposition parse ${series} series as OpenMetrics (strict validation, ${fmt(om.length / 1e6, 2)} MB): cf-prom ${fmt(om.length / 1e6 / omSecs)} MB/s ${fmt(series / omSecs / 1e6, 2)} M samples/s | ${fmt(omSecs / ours, 2)}x the time of the text parse`,
    );
  }
}
