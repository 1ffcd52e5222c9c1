import { parseExposition, writeExposition } from '../exposition/index.js';
import type { Command } from './command.js';
import { UsageError, parseArgs, readInput } from './command.js';
import { formatOption, reportParseError } from './parse-command.js';

export const formatCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, { strings: ['to', 'format', 'content-type'] });
  const to = flags.get('to') ?? 'text';
  if (to !== 'text' && to !== 'openmetrics') throw new UsageError('--to must be text or openmetrics');
  if (positional.length > 1) throw new UsageError('expected at most one input file');
  const ct = flags.get('content-type');
  const body = await readInput(io, positional[0]);
  let out: string;
  try {
    const families = parseExposition(body, { format: formatOption(flags.get('format')), contentType: typeof ct === 'string' ? ct : null });
    out = writeExposition(families, to);
  } catch (err) {
    return reportParseError(io, err);
  }
  io.stdout.write(out);
  return 0;
};
