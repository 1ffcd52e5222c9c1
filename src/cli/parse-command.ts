import { performance } from 'node:perf_hooks';
import { parseExposition, sampleToNdjson } from '../exposition/index.js';
import type { Command } from './command.js';
import { parseArgs, readInput, UsageError } from './command.js';
import { parseOptions, readExposition, reportParseError } from './exposition-input.js';
import { writeLines } from './output.js';

export const parseCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, { strings: ['format', 'content-type', 'repeat'], booleans: ['stats'] });
  if (positional.length > 1) throw new UsageError('expected at most one input file');
  if (flags.has('stats')) {
    const opts = parseOptions(flags);
    const body = await readInput(io, positional[0]);
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
  const families = await readExposition(io, flags, positional[0]);
  if (typeof families === 'number') return families;
  await writeLines(
    io.stdout,
    (function* () {
      for (const f of families) for (const s of f.samples) yield sampleToNdjson(s, f.type);
    })(),
  );
  return 0;
};
