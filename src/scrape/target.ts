import type { ScrapeJobConfig, TargetGroup } from '../config/types.js';
import type { Labels } from '../exposition/index.js';
import type { RelabelChain } from '../relabel/index.js';
import { relabelTarget } from '../relabel/index.js';
import type { ScrapeTarget } from './sink.js';

/** One endpoint to scrape, with everything the loop needs, derived from a job and a group. */
export interface Target {
  /** Stable identity: a loop keeps running across reloads while its key is unchanged. */
  key: string;
  job: ScrapeJobConfig;
  url: string;
  identity: ScrapeTarget;
  intervalMs: number;
  timeoutMs: number;
}

export interface DroppedTarget {
  job: string;
  address: string;
  reason: string;
}

function sortPairs(labels: Labels): Labels {
  const idx: number[] = [];
  for (let i = 0; i < labels.length; i += 2) idx.push(i);
  idx.sort((a, b) => ((labels[a] as string) < (labels[b] as string) ? -1 : (labels[a] as string) > (labels[b] as string) ? 1 : 0));
  const out: Labels = [];
  for (const i of idx) if (labels[i + 1] !== '') out.push(labels[i] as string, labels[i + 1] as string);
  return out;
}

function buildUrl(scheme: string, address: string, path: string, params: Array<[string, string]>): string {
  const u = new URL(`${scheme}://${address}`);
  u.pathname = path.startsWith('/') ? path : `/${path}`;
  for (const [k, v] of params) u.searchParams.append(k, v);
  return u.toString();
}

/**
 * The targets of one job from its target groups. Prometheus-style jobs go through
 * `relabel_configs` (job, instance, `__param_*`, `__scheme__` …); CF per-job targets keep their
 * configured labels only, as the released prom-scraper does.
 */
export function buildTargets(
  job: ScrapeJobConfig,
  groups: readonly TargetGroup[],
  relabel: RelabelChain,
  defaultSourceId: string,
): { targets: Target[]; dropped: DroppedTarget[] } {
  const targets: Target[] = [];
  const dropped: DroppedTarget[] = [];
  const sourceId = job.sourceId ?? defaultSourceId;
  const instanceId = job.instanceId ?? '';
  for (const g of groups) {
    for (const address of g.targets) {
      let labels: Labels;
      let url: string;
      let intervalMs = job.scrapeIntervalMs;
      let timeoutMs = job.scrapeTimeoutMs;
      if (job.cfStyle) {
        labels = sortPairs(g.labels);
        url = buildUrl(
          job.scheme,
          address,
          job.metricsPath,
          Object.entries(job.params).flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v])),
        );
      } else {
        const r = relabelTarget(
          relabel,
          ['__address__', address],
          {
            job: job.jobName,
            scheme: job.scheme,
            metricsPath: job.metricsPath,
            scrapeInterval: job.scrapeIntervalMs,
            scrapeTimeout: job.scrapeTimeoutMs,
            params: job.params,
          },
          g.labels,
        );
        if ('dropped' in r) {
          dropped.push({ job: job.jobName, address, reason: r.dropped });
          continue;
        }
        labels = r.labels;
        intervalMs = r.scrapeIntervalMs;
        timeoutMs = r.scrapeTimeoutMs;
        const params: Array<[string, string]> = [];
        const overridden = new Set<string>();
        for (let i = 0; i < r.params.length; i += 2) overridden.add(r.params[i] as string);
        for (const [k, vs] of Object.entries(job.params)) if (!overridden.has(k)) for (const v of vs) params.push([k, v]);
        for (let i = 0; i < r.params.length; i += 2) params.push([r.params[i] as string, r.params[i + 1] as string]);
        url = buildUrl(r.scheme, r.address, r.metricsPath, params);
      }
      const identity: ScrapeTarget = { job: job.jobName, sourceId, instanceId, url, labels };
      const key = `${job.jobName}\u0000${url}\u0000${labels.join('\u0001')}\u0000${intervalMs}\u0000${timeoutMs}`;
      targets.push({ key, job, url, identity, intervalMs, timeoutMs });
    }
  }
  return { targets, dropped };
}
