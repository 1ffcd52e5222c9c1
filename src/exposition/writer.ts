import { formatGoFloat } from './go-float.js';
import type { Exemplar, ExpositionFormat, Labels, MetricFamily, Sample, TimestampMs } from './types.js';

const LABEL_VALUE_ESCAPES = /[\\"\n]/g;
const HELP_TEXT_ESCAPES = /[\\\n]/g;
const HELP_OM_ESCAPES = /[\\"\n]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n' };
const CLASSIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const CLASSIC_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(v: string): string {
  return v.replace(LABEL_VALUE_ESCAPES, (c) => ESCAPED[c] as string);
}

function quoteIfNeeded(name: string, re: RegExp): string {
  return re.test(name) ? name : `"${escapeLabelValue(name)}"`;
}

/** `name{a="1",b="2"}`, or the quoted-name form when a name is not a classic one. */
export function writeSeries(name: string, labels: Labels): string {
  const classic = CLASSIC_NAME.test(name);
  let s = classic ? name : '';
  if (labels.length === 0 && classic) return s;
  s += '{';
  let first = true;
  if (!classic) {
    s += `"${escapeLabelValue(name)}"`;
    first = false;
  }
  for (let i = 0; i < labels.length; i += 2) {
    s += `${first ? '' : ','}${quoteIfNeeded(labels[i] as string, CLASSIC_LABEL)}="${escapeLabelValue(labels[i + 1] as string)}"`;
    first = false;
  }
  return `${s}}`;
}

/** The text 0.0.4 TYPE word of a family (OpenMetrics-only types degrade to the nearest one). */
function textType(f: MetricFamily): string {
  switch (f.type) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'summary':
    case 'untyped':
      return f.type;
    case 'info':
    case 'stateset':
      return 'gauge';
    default:
      return 'untyped';
  }
}

function tsText(ts: TimestampMs | null): string {
  return ts === null ? '' : ` ${typeof ts === 'bigint' ? ts.toString() : Math.round(ts).toString()}`;
}

/**
 * Text format 0.0.4, as Prometheus's expfmt writes it. OpenMetrics counters whose samples end in
 * `_total` are written under that name so a text parser sees a counter; `_created` samples become
 * their own gauge family; exemplars are dropped (text 0.0.4 has none).
 */
export function writeText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    const created: Sample[] = [];
    const main: Sample[] = [];
    for (const s of f.samples)
      (s.name === `${f.name}_created` && f.type !== 'gauge' && f.type !== 'untyped' && f.type !== 'unknown' ? created : main).push(s);
    let name = f.name;
    if (f.type === 'counter' && main.length > 0 && main.every((s) => s.name === `${f.name}_total`)) name = `${f.name}_total`;
    if (f.type === 'info' && main.length > 0 && main.every((s) => s.name === `${f.name}_info`)) name = `${f.name}_info`;
    writeTextFamily(out, name, f.help, textType(f), main);
    if (created.length > 0) writeTextFamily(out, `${f.name}_created`, null, 'gauge', created);
  }
  return out.join('');
}

function writeTextFamily(out: string[], name: string, help: string | null, type: string, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  const qname = quoteIfNeeded(name, CLASSIC_NAME);
  if (help !== null) out.push(`# HELP ${qname} ${help.replace(HELP_TEXT_ESCAPES, (c) => ESCAPED[c] as string)}\n`);
  out.push(`# TYPE ${qname} ${type}\n`);
  for (const s of samples) out.push(`${writeSeries(s.name, s.labels)} ${formatGoFloat(s.value)}${tsText(s.timestampMs)}\n`);
}

/** Milliseconds as OpenMetrics float seconds (exact for bigint timestamps). */
export function omTimestamp(ms: TimestampMs): string {
  if (typeof ms === 'bigint') {
    const neg = ms < 0n;
    const abs = neg ? -ms : ms;
    const frac = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
    return `${neg ? '-' : ''}${abs / 1000n}${frac ? `.${frac}` : ''}`;
  }
  return formatGoFloat(ms / 1000);
}

function writeExemplar(e: Exemplar): string {
  let s = ' # {';
  for (let i = 0; i < e.labels.length; i += 2) {
    s += `${i === 0 ? '' : ','}${e.labels[i]}="${escapeLabelValue(e.labels[i + 1] as string)}"`;
  }
  return `${s}} ${formatGoFloat(e.value)}${e.timestampMs === null ? '' : ` ${omTimestamp(e.timestampMs)}`}`;
}

/**
 * OpenMetrics 1.0 text. A family read from text 0.0.4 is renamed as OpenMetrics requires: a
 * counter `x_total` becomes family `x` with samples `x_total`, and `untyped` becomes `unknown`.
 */
export function writeOpenMetrics(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    let name = f.name;
    const type: string = f.type === 'untyped' ? 'unknown' : f.type;
    let rename: ((s: string) => string) | null = null;
    if (f.type === 'counter') {
      if (name.endsWith('_total')) name = name.slice(0, -6);
      const base = name;
      rename = (s) => (s === base || s === `${base}_total` ? `${base}_total` : s);
    }
    if (f.type === 'info' && name.endsWith('_info')) name = name.slice(0, -5);
    if (f.help !== null) out.push(`# HELP ${name} ${f.help.replace(HELP_OM_ESCAPES, (c) => ESCAPED[c] as string)}\n`);
    out.push(`# TYPE ${name} ${type}\n`);
    if (f.unit !== null) out.push(`# UNIT ${name} ${f.unit}\n`);
    for (const s of f.samples) {
      const sn = rename ? rename(s.name) : s.name;
      out.push(`${writeSeries(sn, s.labels)} ${formatGoFloat(s.value)}`);
      if (s.timestampMs !== null) out.push(` ${omTimestamp(s.timestampMs)}`);
      if (s.exemplar !== undefined) out.push(writeExemplar(s.exemplar));
      out.push('\n');
    }
  }
  out.push('# EOF\n');
  return out.join('');
}

export function writeExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  return format === 'openmetrics' ? writeOpenMetrics(families) : writeText(families);
}
