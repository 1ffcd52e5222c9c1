import type { CounterFloatPolicy } from '../loggregator/index.js';
import {
  COUNTER_FLOAT_POLICIES,
  CounterOutcome,
  envelopeToJson,
  mergeLabels,
  prepareEnvelope,
  toEnvelope,
  toProtoEnvelope,
} from '../loggregator/index.js';
import type { Command } from './command.js';
import { parseArgs, UsageError } from './command.js';
import { readExposition } from './exposition-input.js';
import { writeLines } from './output.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelOption(kv: string): [string, string] {
  const eq = kv.indexOf('=');
  const name = eq === -1 ? kv : kv.slice(0, eq);
  if (eq === -1 || !LABEL_NAME.test(name))
    throw new UsageError(`--label "${kv}": expected name=value with a name matching [a-zA-Z_][a-zA-Z0-9_]*`);
  return [name, kv.slice(eq + 1)];
}

/**
 * `cf-prom envelopes`: the Loggregator v2 envelopes one scrape of an exposition would send, as
 * proto3 JSON (the .proto's JSON names, zero values included), one per line.
 */
export const envelopesCommand: Command = async (io) => {
  const { flags, multi, positional } = parseArgs(io.argv, {
    strings: ['source-id', 'instance-id', 'default-source-id', 'content-type', 'format', 'counter-floats'],
    booleans: ['honor-timestamps'],
    multi: ['label'],
  });
  if (positional.length > 1) throw new UsageError('expected at most one input file');
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const counterFloats = (str('counter-floats') ?? 'drop') as CounterFloatPolicy;
  if (!COUNTER_FLOAT_POLICIES.includes(counterFloats))
    throw new UsageError(`--counter-floats must be one of ${COUNTER_FLOAT_POLICIES.join(', ')}`);
  const targetLabels: string[] = [];
  for (const kv of multi.get('label') ?? []) targetLabels.push(...labelOption(kv));
  const target = { sourceId: str('source-id') ?? '', instanceId: str('instance-id') ?? '' };
  const convert = {
    defaultSourceId: str('default-source-id') ?? io.env.DEFAULT_SOURCE_ID ?? '',
    counterFloats,
  };
  const honor = flags.has('honor-timestamps');

  const families = await readExposition(io, flags, positional[0]);
  if (typeof families === 'number') return families;
  const scrapeTimeMs = Date.now();
  const dropped = new Map<string, number>();
  const altered = new Map<string, number>();
  const lines: string[] = [];
  for (const f of families) {
    for (const s of f.samples) {
      const series = { name: s.name, family: f.name, type: f.type, labels: mergeLabels(targetLabels, s.labels) };
      const p = prepareEnvelope(target, series, convert);
      const r = toEnvelope(p, s.value, honor && s.timestampMs !== null ? s.timestampMs : scrapeTimeMs, convert.counterFloats);
      if (r.ok) {
        lines.push(envelopeToJson(toProtoEnvelope(r.envelope)));
        if (r.outcome !== CounterOutcome.EXACT)
          altered.set(
            r.envelope.counter ? 'truncated or clamped' : 'sent as gauge',
            (altered.get(r.envelope.counter ? 'truncated or clamped' : 'sent as gauge') ?? 0) + 1,
          );
      } else dropped.set(r.reason, (dropped.get(r.reason) ?? 0) + 1);
    }
  }
  await writeLines(io.stdout, lines);
  for (const [reason, n] of dropped) io.stderr.write(`cf-prom envelopes: ${n} sample(s) not sent: ${reason}\n`);
  for (const [what, n] of altered) io.stderr.write(`cf-prom envelopes: ${n} counter value(s) ${what}\n`);
  return 0;
};
