import { performance } from 'node:perf_hooks';
import { ExpositionError, parseExposition, resolveFormat, sampleToNdjson } from '../exposition/index.js';
import type { ExpositionFormat, MetricFamily } from '../exposition/index.js';
import { CfPromError } from '../errors.js';
import type { Command } from './command.js';
import { UsageError, parseArgs, readInput } from './command.js';
import { writeLines } from './output.js';

const FORMATS = ['auto', 'text', 'openmetrics'];

export function formatOption(v: string | true | undefined): ExpositionFormat | 'auto' {
  if (v === undefined) return 'auto';
  if (typeof v !== 'string' || !FORMATS.includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  return v as ExpositionFormat | 'auto';
}

/** `parse error: line L, col C: reason` on stderr and exit 1, the contract other tools rely on. */
export function reportParseError(io: { stderr: NodeJS.WritableStream }, err: unknown): number {
  if (err instanceof ExpositionError || err instanceof CfPromError) {
    io.stderr.write(`cf-prom: parse error: ${err.message}\n`);
    return 1;
  }
  throw err;
}

export const parseCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, { strings: ['format', 'content-type', 'repeat'], booleans: ['stats'] });
  if (positional.length > 1) throw new UsageError('expected at most one input file');
  const ct = flags.get('content-type');
  const opts = { format: formatOption(flags.get('format')), contentType: typeof ct === 'string' ? ct : null };
  const body = await readInput(io, positional[0]);
  if (flags.has('stats')) {
    const repeat = Number(flags.get('repeat') ?? 1);
    if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('--repeat must be a positive integer');
    let samples = 0;
    let families = 0;
    try {
      const t0 = performance.now();
      for (let i = 0; i < repeat; i++) {
        const fams = parseExposition(body, opts);
        families += fams.length;
        for (const f of fams) samples += f.samples.length;
      }
      const seconds = (performance.now() - t0) / 1000;
      io.stdout.write(`${JSON.stringify({ bytes: body.length * repeat, samples, families, seconds })}\n`);
      return 0;
    } catch (err) {
      return reportParseError(io, err);
    }
  }
  let families: MetricFamily[];
  try {
    resolveFormat(opts);
    families = parseExposition(body, opts);
  } catch (err) {
    return reportParseError(io, err);
  }
  await writeLines(io.stdout, (function* () {
    for (const f of families) for (const s of f.samples) yield sampleToNdjson(s, f.type);
  })());
  return 0;
};
