import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScrapeJobConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import type { ScrapeLoop, ScrapeService } from '../scrape/index.js';
import { type ApiTargetSpec, apiTargetId, configJobId, validateApiTarget } from './api-targets.js';
import { type Handler, readBody, sendJson } from './http-server.js';
import type { DaemonSettings } from './settings.js';

export const API_BODY_LIMIT_BYTES = 1 << 20;
const PREFIX = '/v1/scrape_targets';

/** Health of one target URL, as `GET /v1/scrape_targets` shows it. */
export interface TargetHealthView {
  url: string;
  up: boolean | null;
  last_scrape: string | null;
  last_scrape_duration_seconds: number | null;
  last_error: string | null;
  samples: number;
}

export interface ScrapeTargetView {
  id: string;
  /** `api`: added through this API (deletable); `config`: from the config files. */
  kind: 'api' | 'config';
  origin: string;
  source_id: string | null;
  instance_id: string | null;
  scrape_interval_seconds: number;
  scheme: string;
  metrics_path: string;
  /** As posted (header values redacted); null for config jobs. */
  spec: ApiTargetSpec | null;
  health: TargetHealthView[];
}

/**
 * Targets added at run time. They live in memory beside the file-based jobs: they survive
 * reloads (SIGHUP, config file changes) but not a restart — the platform that registered them
 * registers them again, and ids are derived from (source_id, instance_id) so they come back the same.
 */
export class ApiTargets {
  private readonly specs = new Map<string, ApiTargetSpec>();

  constructor(
    private readonly service: ScrapeService,
    private readonly settings: DaemonSettings,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.specs.size;
  }

  handler(): Handler {
    return (req, res) => this.handle(req, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === PREFIX) {
      if (req.method === 'GET') return sendJson(res, 200, { scrape_targets: this.list() });
      if (req.method === 'POST') return this.post(req, res);
      return sendJson(res, 405, { error: `method ${req.method} not allowed; allowed: GET, POST` }, { Allow: 'GET, POST' });
    }
    if (path.startsWith(`${PREFIX}/`)) {
      const id = decodeURIComponent(path.slice(PREFIX.length + 1));
      if (req.method === 'GET') {
        const view = this.list().find((v) => v.id === id);
        return view === undefined
          ? sendJson(res, 404, { error: `no scrape target with id ${JSON.stringify(id)}` })
          : sendJson(res, 200, view);
      }
      if (req.method === 'DELETE') return this.delete(id, res);
      return sendJson(res, 405, { error: `method ${req.method} not allowed; allowed: GET, DELETE` }, { Allow: 'GET, DELETE' });
    }
    sendJson(res, 404, { error: `no such endpoint ${url.pathname}; see ${PREFIX}` });
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, API_BODY_LIMIT_BYTES);
    if (body === null)
      return sendJson(res, 413, { error: `request body larger than ${API_BODY_LIMIT_BYTES} bytes` }, { Connection: 'close' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return sendJson(res, 400, { errors: [{ field: '', message: `not valid JSON: ${(err as Error).message}` }] });
    }
    const r = validateApiTarget(parsed, this.settings.scrape);
    if ('errors' in r) return sendJson(res, 400, { errors: r.errors });
    const id = apiTargetId(r.spec.source_id, r.spec.instance_id);
    const replaced = this.specs.has(id);
    this.specs.set(id, r.spec);
    this.service.putJob(r.job(id));
    this.logger.info(
      { id, source_id: r.spec.source_id, instance_id: r.spec.instance_id, targets: r.spec.targets, replaced },
      'api: scrape target added',
    );
    const view = this.list().find((v) => v.id === id);
    sendJson(res, replaced ? 200 : 201, view, { Location: `${PREFIX}/${id}` });
  }

  private delete(id: string, res: ServerResponse): void {
    if (this.specs.delete(id)) {
      this.service.deleteJob(id);
      this.logger.info({ id }, 'api: scrape target deleted');
      res.writeHead(204);
      res.end();
      return;
    }
    const cfg = this.list().find((v) => v.id === id);
    if (cfg !== undefined) sendJson(res, 409, { error: `${id} comes from the configuration (${cfg.origin}); remove it there and reload` });
    else sendJson(res, 404, { error: `no scrape target with id ${JSON.stringify(id)}` });
  }

  /** Every job, file-based first, each with the health of its targets. */
  list(): ScrapeTargetView[] {
    const loopsByJob = new Map<string, ScrapeLoop[]>();
    for (const l of this.service.manager.loops()) {
      const list = loopsByJob.get(l.target.job.jobName) ?? [];
      list.push(l);
      loopsByJob.set(l.target.job.jobName, list);
    }
    return this.service.jobs.map((job) => this.view(job, loopsByJob.get(job.jobName) ?? []));
  }

  private view(job: ScrapeJobConfig, loops: readonly ScrapeLoop[]): ScrapeTargetView {
    const spec = this.specs.get(job.jobName) ?? null;
    return {
      id: spec !== null ? job.jobName : configJobId(job.jobName),
      kind: spec !== null ? 'api' : 'config',
      origin: job.origin,
      source_id: job.sourceId ?? this.settings.defaultSourceId,
      instance_id: job.instanceId,
      scrape_interval_seconds: job.scrapeIntervalMs / 1000,
      scheme: job.scheme,
      metrics_path: job.metricsPath,
      spec: spec === null ? null : { ...spec, headers: Object.fromEntries(Object.keys(spec.headers).map((k) => [k, '<redacted>'])) },
      health: loops.map((l) => {
        const h = l.health;
        return {
          url: h.url,
          up: h.up,
          last_scrape: h.lastScrapeMs === null ? null : new Date(h.lastScrapeMs).toISOString(),
          last_scrape_duration_seconds: h.lastDurationMs === null ? null : h.lastDurationMs / 1000,
          last_error: h.lastError,
          samples: h.samples,
        };
      }),
    };
  }
}
