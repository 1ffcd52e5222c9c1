import type { Labels } from '../exposition/index.js';
import { applyChainToBuilder, type RelabelChain } from './chain.js';
import { formatPromDuration, parsePromDuration } from './duration.js';
import { LabelBuilder } from './label-builder.js';
import { isWellFormed } from './label-name.js';

/** What a scrape config contributes to every target's labels before `relabel_configs`. */
export interface TargetDefaults {
  job: string;
  /** `http` or `https`. */
  scheme: string;
  metricsPath: string;
  /** A Prometheus duration string (`15s`) or milliseconds. */
  scrapeInterval: string | number;
  scrapeTimeout: string | number;
  /** Scrape URL parameters; the first value of each becomes `__param_<name>`. */
  params?: Readonly<Record<string, readonly string[]>>;
}

/** A target that survived relabeling, as Prometheus's `PopulateLabels` leaves it. */
export interface FinalizedTarget {
  /** The public labels attached to its series: no `__`-prefixed label; `instance` always set. */
  labels: Labels;
  /** Every label after relabeling except `__meta_*`, with `instance` defaulted; sorted. */
  internal: Labels;
  address: string;
  scheme: string;
  metricsPath: string;
  /** `__param_<name>` labels as `[name, value, …]` (each overrides the config's first value). */
  params: Labels;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
}

export type TargetResult = FinalizedTarget | { dropped: string };

/**
 * The labels a target enters `relabel_configs` with (Prometheus's `PopulateDiscoveredLabels`):
 * its own labels, then its group's labels it does not have, then `job`, `__scrape_interval__`,
 * `__scrape_timeout__`, `__metrics_path__`, `__scheme__` and `__param_<name>` from `defaults`
 * unless already set (non-empty). `__address__` comes from the target's labels. Sorted output.
 */
export function prepareTargetLabels(targetLabels: Labels, defaults: TargetDefaults, groupLabels: Labels = []): Labels {
  const b = new LabelBuilder();
  populateDiscovered(b, targetLabels, defaults, groupLabels);
  return b.toLabels();
}

/**
 * What Prometheus's `PopulateLabels` does after `relabel_configs` kept a target: checks the
 * address, interval and timeout, deletes `__meta_*` labels, defaults `instance` to
 * `__address__`, checks values are UTF-8. `dropped` carries Prometheus's reason otherwise.
 */
export function finalizeTargetLabels(labels: Labels): TargetResult {
  const b = new LabelBuilder();
  b.reset(labels);
  return finalize(b);
}

/**
 * Target relabeling end to end, on one label builder as Prometheus does it:
 * `prepareTargetLabels`, `relabel_configs`, `finalizeTargetLabels`. A target dropped by a rule
 * gets the reason `dropped by relabel_configs`.
 */
export function relabelTarget(chain: RelabelChain, targetLabels: Labels, defaults: TargetDefaults, groupLabels: Labels = []): TargetResult {
  const b = new LabelBuilder();
  populateDiscovered(b, targetLabels, defaults, groupLabels);
  if (!applyChainToBuilder(chain, b)) return { dropped: 'dropped by relabel_configs' };
  return finalize(b);
}

function populateDiscovered(b: LabelBuilder, targetLabels: Labels, defaults: TargetDefaults, groupLabels: Labels): void {
  b.reset([]);
  for (let i = 0; i + 1 < targetLabels.length; i += 2) b.set(targetLabels[i] as string, targetLabels[i + 1] as string);
  for (let i = 0; i + 1 < groupLabels.length; i += 2) {
    const name = groupLabels[i] as string;
    if (!hasName(targetLabels, name)) b.set(name, groupLabels[i + 1] as string);
  }
  const durationText = (d: string | number) => (typeof d === 'number' ? formatPromDuration(d) : d);
  const scrapeLabels: [string, string][] = [
    ['job', defaults.job],
    ['__scrape_interval__', durationText(defaults.scrapeInterval)],
    ['__scrape_timeout__', durationText(defaults.scrapeTimeout)],
    ['__metrics_path__', defaults.metricsPath],
    ['__scheme__', defaults.scheme],
  ];
  for (const [name, value] of scrapeLabels) if (b.get(name) === '') b.set(name, value);
  for (const [key, values] of Object.entries(defaults.params ?? {})) {
    const name = `__param_${key}`;
    if (values.length > 0 && b.get(name) === '') b.set(name, values[0] as string);
  }
}

function finalize(b: LabelBuilder): TargetResult {
  const address = b.get('__address__');
  if (address === '') return { dropped: 'no address' };
  if (address.includes('/')) return { dropped: `${JSON.stringify(address)} is not a valid hostname` };

  const interval = b.get('__scrape_interval__');
  let scrapeIntervalMs: number;
  try {
    scrapeIntervalMs = parsePromDuration(interval);
  } catch (err) {
    return { dropped: `error parsing scrape interval: ${(err as Error).message}` };
  }
  if (scrapeIntervalMs === 0) return { dropped: 'scrape interval cannot be 0' };
  const timeout = b.get('__scrape_timeout__');
  let scrapeTimeoutMs: number;
  try {
    scrapeTimeoutMs = parsePromDuration(timeout);
  } catch (err) {
    return { dropped: `error parsing scrape timeout: ${(err as Error).message}` };
  }
  if (scrapeTimeoutMs === 0) return { dropped: 'scrape timeout cannot be 0' };
  if (scrapeTimeoutMs > scrapeIntervalMs) {
    return { dropped: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeout)} > ${JSON.stringify(interval)})` };
  }

  b.forEach((name) => {
    if (name.startsWith('__meta_')) b.delete(name);
  });
  if (b.get('instance') === '') b.set('instance', address);
  const internal = b.toLabels();

  const pub: string[] = [];
  const params: string[] = [];
  for (let i = 0; i < internal.length; i += 2) {
    const name = internal[i] as string;
    const value = internal[i + 1] as string;
    if (!isWellFormed(value)) return { dropped: `invalid label value for ${JSON.stringify(name)}: ${JSON.stringify(value)}` };
    if (name.startsWith('__param_')) params.push(name.slice('__param_'.length), value);
    if (!name.startsWith('__')) pub.push(name, value);
  }
  return {
    labels: pub,
    internal,
    address,
    scheme: b.get('__scheme__'),
    metricsPath: b.get('__metrics_path__'),
    params,
    scrapeIntervalMs,
    scrapeTimeoutMs,
  };
}

function hasName(flat: Labels, name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}
