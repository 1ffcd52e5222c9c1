import { CfPromError } from '../errors.js';
import type { ExpositionFormat, MetricFamily } from '../exposition/index.js';
import { ExpositionError, parseExposition } from '../exposition/index.js';
import type { CliIo } from './command.js';
import { readInput, UsageError } from './command.js';

const FORMATS = ['auto', 'text', 'openmetrics'];

/** `--format auto|text|openmetrics`. */
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

/** The parse options of `--format` / `--content-type`. */
export function parseOptions(flags: Map<string, string | true>): { format: ExpositionFormat | 'auto'; contentType: string | null } {
  const ct = flags.get('content-type');
  return { format: formatOption(flags.get('format')), contentType: typeof ct === 'string' ? ct : null };
}

/**
 * Reads and parses the exposition a command works on (a file or standard input, format from
 * `--format` / `--content-type`). A parse error is reported in the agreed form and its exit code
 * returned instead of families.
 */
export async function readExposition(
  io: CliIo,
  flags: Map<string, string | true>,
  path: string | undefined,
): Promise<MetricFamily[] | number> {
  const opts = parseOptions(flags);
  const body = await readInput(io, path);
  try {
    return parseExposition(body, opts);
  } catch (err) {
    return reportParseError(io, err);
  }
}
