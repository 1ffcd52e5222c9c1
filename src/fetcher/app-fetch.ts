import type { ExpositionFormat, Labels } from '../exposition/index.js';
import type { AppInstance, Logger } from '../routes/index.js';
import { type ExternalExporter, exporterUrl } from './external-exporters.js';
import type { FetchOutcome, FetchRequest, InstanceClient } from './instance-client.js';
import {
  appTargetLabels,
  instanceTargetLabels,
  type MergeInput,
  type MergeStats,
  mergeRenderedChunks,
  type RenderedSource,
} from './render.js';
import type { Renderer, RenderGroup } from './renderer.js';
import type { FetcherMetrics } from './self-metrics.js';

/** What the app instances are sent as `Accept` (the original's, per API version). */
export const ACCEPT_BY_VERSION = {
  1: 'application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  2: 'text/plain; version=0.0.4; charset=utf-8',
} as const;

/**
 * Per-app metrics path override, e.g. from the service broker's bindings (a later issue).
 * Returns a validated absolute path, or null to use the request's `metric_path`.
 */
export interface MetricsPathResolver {
  resolve(appGuid: string): Promise<string | null> | string | null;
}

export const noMetricsPathResolver: MetricsPathResolver = { resolve: () => null };

export interface AppFetchRequest {
  readonly version: 1 | 2;
  readonly instances: readonly AppInstance[];
  readonly metricPath: string;
  /** Caller headers to forward, already filtered. */
  readonly headers: readonly [string, string][];
  readonly timeoutMs: number;
  /** True for `/only-app-metrics`: no external exporters. */
  readonly onlyApp: boolean;
  /** Output format: each source is rendered in it as soon as its body is parsed. */
  readonly format: ExpositionFormat;
}

export interface SourceReport {
  readonly kind: 'instance' | 'exporter';
  /** Address of the instance or name of the exporter. */
  readonly target: string;
  readonly url: string;
  /** The fetch outcome without its parsed families (those are rendered and dropped at once). */
  readonly outcome: Exclude<FetchOutcome, { ok: true }> | { readonly ok: true; readonly bytes: number; readonly durationMs: number };
}

export interface AppFetchResult {
  /** The merged exposition in the requested format (uncompressed), as the pieces to write in order. */
  readonly chunks: readonly Buffer[];
  /** Total length of `chunks`. */
  readonly bytes: number;
  readonly format: ExpositionFormat;
  readonly sources: readonly SourceReport[];
  readonly okCount: number;
  readonly failCount: number;
  /** The gzipped body, made once on first demand and shared by every caller of this result. */
  gzipped?: Promise<Buffer>;
  /** Held by every caller writing `chunks` (and a cache keeping the result): see `Lease`. */
  readonly lease: Lease;
}

/**
 * Who still uses a result's rendered lines. Render workers write them into reusable buffers;
 * those are handed back once the last holder drops the result (its response is written).
 * A result nobody ever held keeps its buffers to the garbage collector's care.
 */
export class Lease {
  private holds = 0;
  private released = false;

  constructor(private readonly releases: readonly (() => void)[]) {}

  hold(): void {
    this.holds++;
  }

  drop(): void {
    if (--this.holds > 0 || this.released) return;
    this.released = true;
    for (const r of this.releases) r();
  }

  /**
   * For a caller that will not use the result (it went away while the result was being made):
   * released unless someone holds it once every other caller of the same run has taken it up
   * (they do in the same microtask checkpoint as this one).
   */
  passOver(): void {
    setImmediate(() => {
      this.hold();
      this.drop();
    });
  }
}

export interface AppFetcherDeps {
  readonly client: InstanceClient;
  readonly exporters: readonly ExternalExporter[];
  readonly resolver: MetricsPathResolver;
  readonly metrics: FetcherMetrics;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly renderer: Renderer;
}

interface Job {
  readonly kind: 'instance' | 'exporter';
  readonly target: string;
  readonly req: FetchRequest;
  readonly targetLabels: Labels;
  readonly appLabels: Labels;
  readonly index: string;
}

/** Runs `fn` over `items` (in `order`, a permutation of their indexes) with at most `limit` at once; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>, order?: readonly number[]): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = order === undefined ? next++ : (order[next++] as number);
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Fetches every instance (and the app's external exporters) in parallel under a concurrency
 * bound, records self-metrics, logs failures with their detail, and merges the results.
 */
export async function fetchApp(deps: AppFetcherDeps, r: AppFetchRequest): Promise<AppFetchResult> {
  const jobs: Job[] = [];
  const pathByApp = new Map<string, string>();
  for (const inst of r.instances) {
    let path = pathByApp.get(inst.appGuid);
    if (path === undefined) {
      path = (inst.appGuid !== '' ? await deps.resolver.resolve(inst.appGuid) : null) ?? r.metricPath;
      pathByApp.set(inst.appGuid, path);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of r.headers) headers[k] = v;
    headers.accept = ACCEPT_BY_VERSION[r.version];
    headers['accept-encoding'] = 'gzip';
    headers['x-prometheus-scrape-timeout-seconds'] = (r.timeoutMs / 1000).toFixed(6);
    headers['x-forwarded-proto'] = inst.tls ? 'https' : 'http';
    headers['x-promfetcher-scrapping'] = 'true';
    headers.host = inst.host !== '' ? inst.host : inst.address;
    const req: FetchRequest = {
      origin: `${inst.tls ? 'https' : 'http'}://${inst.address}`,
      path,
      headers,
      timeoutMs: r.timeoutMs,
      ...(inst.tls && inst.serverCertDomainSan !== '' ? { servername: inst.serverCertDomainSan } : {}),
    };
    jobs.push({
      kind: 'instance',
      target: inst.address,
      req,
      targetLabels: instanceTargetLabels(inst.tags, inst.instanceIndex, inst.address),
      appLabels: appTargetLabels(inst.tags),
      index: inst.instanceIndex,
    });
  }
  if (!r.onlyApp && deps.exporters.length > 0) {
    const seenApps = new Set<string>();
    for (const inst of r.instances) {
      const appId = inst.tags.app_id ?? '';
      if (seenApps.has(appId)) continue;
      seenApps.add(appId);
      for (const e of deps.exporters) {
        const url = exporterUrl(e, inst.tags);
        const appLabels = appTargetLabels(inst.tags);
        jobs.push({
          kind: 'exporter',
          target: e.name,
          req: {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            headers: { host: e.host, 'accept-encoding': 'gzip', 'x-prometheus-scrape-timeout-seconds': (r.timeoutMs / 1000).toFixed(6) },
            timeoutMs: r.timeoutMs,
          },
          targetLabels: [...appLabels, 'instance', e.name],
          appLabels,
          index: '',
        });
      }
    }
  }

  const m = deps.metrics;
  // The renders laid out for this merge (a family's lines of one worker's sources in one piece).
  const group = deps.renderer.group?.(jobs.map((j) => `${j.req.origin}${j.req.path}`));
  let rendered: [SourceReport['outcome'], RenderedSource | null][];
  try {
    rendered = await renderAll(deps, r, jobs, group);
  } catch (err) {
    group?.release();
    throw err;
  }
  let okCount = 0;
  let duplicates = 0;
  const releases: (() => void)[] = [];
  if (group !== undefined) releases.push(() => group.release());
  const sources: SourceReport[] = [];
  const inputs: MergeInput[] = jobs.map((j, i) => {
    const [o, rs] = rendered[i] as [SourceReport['outcome'], RenderedSource | null];
    sources.push({ kind: j.kind, target: j.target, url: `${j.req.origin}${j.req.path}`, outcome: o });
    m.fetchDuration.labels(o.ok ? 'ok' : o.reason).observe(o.durationMs / 1000);
    const l = j.appLabels;
    if (o.ok && rs !== null) {
      okCount++;
      if (rs.release !== undefined) releases.push(rs.release);
      duplicates += rs.duplicates;
      m.fetchSuccess.labels(l[1] as string, l[3] as string, l[5] as string, l[7] as string, l[9] as string, l[11] as string).inc();
      return { targetLabels: j.targetLabels, rendered: rs };
    }
    const reason = o.ok ? 'parse' : o.reason;
    m.fetchFailed
      .labels(l[1] as string, l[3] as string, l[5] as string, l[7] as string, l[9] as string, l[11] as string, j.index, j.index)
      .inc();
    deps.logger.warn(
      {
        kind: j.kind,
        target: j.target,
        url: `${j.req.origin}${j.req.path}`,
        app_id: l[5],
        reason,
        status: o.ok ? undefined : o.status,
        detail: o.ok ? '' : o.detail,
      },
      'scrape failed',
    );
    return { targetLabels: j.targetLabels, rendered: null, error: reason };
  });
  const stats: MergeStats = { typeConflicts: [] };
  const chunks = mergeRenderedChunks(inputs, r.format, stats);
  let bytes = 0;
  for (const c of chunks) bytes += c.length;
  if (duplicates > 0) m.duplicates.inc(duplicates);
  for (const c of stats.typeConflicts) {
    m.typeConflicts.inc();
    deps.logger.warn(
      { family: c.family, type: c.type, expected: c.expected, labels: c.targetLabels },
      'instances disagree on a metric type; later family dropped',
    );
  }
  return { chunks, bytes, format: r.format, sources, okCount, failCount: jobs.length - okCount, lease: new Lease(releases) };
}

/** Fetches and renders every job (at most `concurrency` at once); results in job order. */
function renderAll(
  deps: AppFetcherDeps,
  r: AppFetchRequest,
  jobs: readonly Job[],
  group: RenderGroup | undefined,
): Promise<[SourceReport['outcome'], RenderedSource | null][]> {
  return mapBounded(
    jobs,
    deps.concurrency,
    async (j): Promise<[SourceReport['outcome'], RenderedSource | null]> => {
      const key = `${j.req.origin}${j.req.path}`;
      const o = await deps.client.fetch(j.req, deps.renderer.bodyBuffers?.(key));
      if (!o.ok) return [o, null];
      try {
        const rs = await deps.renderer.render(o.body, o.contentType, j.targetLabels, r.format, key, group);
        return [{ ok: true, bytes: o.bytes, durationMs: o.durationMs }, rs];
      } catch (err) {
        return [{ ok: false, reason: 'parse', detail: (err as Error).message, durationMs: o.durationMs }, null];
      }
    },
    group?.order,
  );
}
