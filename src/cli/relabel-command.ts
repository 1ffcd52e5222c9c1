import { readFile } from 'node:fs/promises';
import type { Document, Scalar } from 'yaml';
import { isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Labels } from '../exposition/index.js';
import { sampleToNdjson } from '../exposition/index.js';
import type { NameValidation, RelabelChain } from '../relabel/index.js';
import { compileRelabelConfigs, RelabelConfigError, relabelSample } from '../relabel/index.js';
import type { CliIo, Command } from './command.js';
import { parseArgs, readInput, UsageError } from './command.js';
import { readExposition } from './exposition-input.js';
import { writeLines } from './output.js';

const USAGE =
  'usage: cf-prom relabel --config FILE [--job NAME] [--format F] [--content-type CT] [EXPOSITION|-]\n' +
  '       cf-prom relabel --config FILE [--job NAME] --labels [FILE|-]';

/** A problem with the rule file: one line on stderr, exit 1. */
class RuleFileError extends Error {}

/**
 * `cf-prom relabel`: applies `metric_relabel_configs` to the samples of an exposition (printed
 * as `cf-prom parse` NDJSON, dropped samples left out) or, with `--labels`, to label sets given
 * as JSON objects one per line (printed as JSON objects, `null` when dropped).
 */
export const relabelCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, {
    strings: ['config', 'job', 'format', 'content-type', 'name-validation'],
    booleans: ['labels'],
  });
  const configPath = flags.get('config');
  if (typeof configPath !== 'string') throw new UsageError(`--config FILE is required\n${USAGE}`);
  if (positional.length > 1) throw new UsageError(`expected at most one input\n${USAGE}`);
  const job = flags.get('job');
  const nv = flags.get('name-validation') ?? 'utf8';
  if (nv !== 'utf8' && nv !== 'legacy') throw new UsageError('--name-validation must be utf8 or legacy');

  let chain: RelabelChain;
  try {
    chain = await loadRules(configPath, typeof job === 'string' ? job : undefined, nv);
  } catch (err) {
    if (err instanceof RuleFileError || err instanceof RelabelConfigError) {
      io.stderr.write(`cf-prom relabel: ${err.message}\n`);
      return 1;
    }
    throw err;
  }

  if (flags.has('labels')) return relabelLabelSets(io, chain, positional[0]);

  const families = await readExposition(io, flags, positional[0]);
  if (typeof families === 'number') return families;
  await writeLines(
    io.stdout,
    (function* () {
      for (const f of families) {
        for (const s of f.samples) {
          const r = relabelSample(chain, s.name, s.labels);
          if (r !== null) yield sampleToNdjson({ name: r.name, labels: r.labels, value: s.value, timestampMs: s.timestampMs }, f.type);
        }
      }
    })(),
  );
  return 0;
};

async function relabelLabelSets(io: CliIo, chain: RelabelChain, input: string | undefined): Promise<number> {
  const text = (await readInput(io, input)).toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const labels = parseLabelSet(line);
    if (typeof labels === 'string') {
      await writeLines(io.stdout, out);
      io.stderr.write(`cf-prom relabel: ${input === undefined || input === '-' ? 'stdin' : input}: line ${i + 1}: ${labels}\n`);
      return 1;
    }
    const result = chain.process(labels);
    out.push(result === null ? 'null' : toJsonObject(result));
  }
  await writeLines(io.stdout, out);
  return 0;
}

/** A label set from one JSON object of string values, or the reason it is not one. */
function parseLabelSet(line: string): Labels | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object of label names to string values';
  const labels: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') return `label ${JSON.stringify(name)}: value must be a string`;
    labels.push(name, v);
  }
  return labels;
}

function toJsonObject(labels: Labels): string {
  let s = '{';
  for (let i = 0; i < labels.length; i += 2) s += `${i === 0 ? '' : ','}${JSON.stringify(labels[i])}:${JSON.stringify(labels[i + 1])}`;
  return `${s}}`;
}

/**
 * The rule file: a YAML list of rules, a mapping with `metric_relabel_configs`, or a Prometheus
 * config with `scrape_configs` (the job named by `--job`, or its only job).
 */
async function loadRules(path: string, job: string | undefined, nameValidation: NameValidation): Promise<RelabelChain> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RuleFileError(`${path}: ${(err as Error).message}`);
  }
  // yaml.v2 reads YAML 1.1 merge keys; integers as BigInt keep a uint64 modulus exact.
  const doc = parseDocument(text, { intAsBigInt: true, merge: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const pos = yamlError.linePos?.[0];
    const first = yamlError.message.split('\n')[0] as string;
    throw new RuleFileError(`${path}:${pos ? `${pos.line}:${pos.col}:` : ''} invalid YAML: ${first}`);
  }
  scalarsAsSourceText(doc);
  const root: unknown = doc.toJS();
  const options = { nameValidation };
  if (Array.isArray(root) || root === null || root === undefined) {
    if (job !== undefined) throw new RuleFileError(`${path}: --job needs a file with scrape_configs`);
    try {
      return compileRelabelConfigs(root, undefined, options);
    } catch (err) {
      if (err instanceof RelabelConfigError) throw new RuleFileError(`${path}: ${err.message}`);
      throw err;
    }
  }
  if (typeof root !== 'object') throw new RuleFileError(`${path}: expected a list of relabel rules or a mapping with scrape_configs`);
  const top = root as Record<string, unknown>;
  if (!('scrape_configs' in top)) {
    if (!('metric_relabel_configs' in top)) {
      throw new RuleFileError(`${path}: expected a list of relabel rules, metric_relabel_configs or scrape_configs`);
    }
    if (job !== undefined) throw new RuleFileError(`${path}: --job needs a file with scrape_configs`);
    return compileRelabelConfigs(top.metric_relabel_configs, `${path}: metric_relabel_configs`, options);
  }
  const configs = top.scrape_configs;
  if (!Array.isArray(configs)) throw new RuleFileError(`${path}: scrape_configs must be a list`);
  const jobName = (c: unknown) => (c !== null && typeof c === 'object' ? (c as Record<string, unknown>).job_name : undefined);
  let index: number;
  if (job === undefined) {
    if (configs.length !== 1) {
      const names = configs.map((c) => JSON.stringify(jobName(c) ?? null)).join(', ');
      throw new RuleFileError(`${path}: ${configs.length} scrape_configs (${names}); choose one with --job NAME`);
    }
    index = 0;
  } else {
    const matches = configs.flatMap((c, i) => (jobName(c) === job ? [i] : []));
    if (matches.length === 0) throw new RuleFileError(`${path}: no scrape_configs entry with job_name ${JSON.stringify(job)}`);
    if (matches.length > 1)
      throw new RuleFileError(`${path}: job_name ${JSON.stringify(job)} appears ${matches.length} times in scrape_configs`);
    index = matches[0] as number;
  }
  const cfg = configs[index] as Record<string, unknown>;
  return compileRelabelConfigs(cfg.metric_relabel_configs, `${path}: scrape_configs[${index}].metric_relabel_configs`, options);
}

const TEXT_FIELDS = new Set(['separator', 'regex', 'target_label', 'replacement', 'action']);

/**
 * Go's yaml.v2 fills a string field with a scalar's source text (`separator: 1.0` is "1.0",
 * `regex: 0x1F` is "0x1F"), where a JavaScript value would print as 1 or 31: give the rule fields
 * that are strings their source text back.
 */
function scalarsAsSourceText(doc: Document): void {
  const asText = (node: Scalar) => {
    if (node.value !== null && typeof node.value !== 'string' && typeof node.source === 'string') node.value = node.source;
  };
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') return;
      if (TEXT_FIELDS.has(pair.key.value) && isScalar(pair.value)) asText(pair.value);
      else if (pair.key.value === 'source_labels' && isSeq(pair.value)) {
        for (const item of pair.value.items) if (isScalar(item)) asText(item);
      }
    },
  });
}
