import { writeExposition } from '../exposition/index.js';
import type { Command } from './command.js';
import { parseArgs, UsageError } from './command.js';
import { readExposition } from './exposition-input.js';

export const formatCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, { strings: ['to', 'format', 'content-type'] });
  const to = flags.get('to') ?? 'text';
  if (to !== 'text' && to !== 'openmetrics') throw new UsageError('--to must be text or openmetrics');
  if (positional.length > 1) throw new UsageError('expected at most one input file');
  const families = await readExposition(io, flags, positional[0]);
  if (typeof families === 'number') return families;
  io.stdout.write(writeExposition(families, to));
  return 0;
};
