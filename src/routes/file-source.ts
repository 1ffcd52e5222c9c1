import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { RouteEntryError, RouteSourceError } from './errors.js';
import { Latch } from './latch.js';
import { LogOnce } from './log-once.js';
import { countReason } from './metrics.js';
import type { RouteTable } from './route-table.js';
import { type ParsedRoutes, parseRoutesDocument } from './routes-json.js';
import { type Logger, type RouteSource, silentLogger } from './types.js';

export interface FileRouteSourceOptions {
  /** A gorouter `/routes` JSON document saved as `.json`, or the same as YAML (`.yml`/`.yaml`). */
  path: string;
  table: RouteTable;
  logger?: Logger;
  /** Stat interval backing up `fs.watch` (which misses some editors' and volumes' changes). Default 1000. */
  statIntervalMs?: number;
  now?: () => number;
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: pos - start + 1 };
}

/** Decodes a routes file; throws RouteSourceError naming file, line and column. */
export function decodeRoutesFile(path: string, text: string): unknown {
  const ext = extname(path).toLowerCase();
  const asYaml = ext === '.yml' || ext === '.yaml' || (ext !== '.json' && !/^\s*[{[]/.test(text));
  if (!asYaml) {
    try {
      return JSON.parse(text);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const where = m ? lineColumn(text, Number(m[1])) : undefined;
      const at = where ? `:${where.line}:${where.column}` : '';
      throw new RouteSourceError('ROUTES_FILE', path, `${path}${at}: invalid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, lineCounter });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    const at = `:${pos.line}:${pos.col}`;
    throw new RouteSourceError('ROUTES_FILE', path, `${path}${at}: invalid YAML: ${first.message.split('\n')[0]}`, { cause: first });
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Route table from a file in gorouter's `/routes` shape, re-read when it changes (watch + stat).
 * Ready once loaded. A bad reload keeps the previous table; bad entries are skipped, counted and
 * logged once.
 */
export class FileRouteSource implements RouteSource {
  readonly kind = 'file' as const;
  private readonly readyLatch = new Latch();
  readonly ready: Promise<void> = this.readyLatch.promise;
  readonly failed: Promise<Error>;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastStamp = '';
  private loading: Promise<void> | undefined;
  private stopped = false;
  private readonly logger: Logger;
  private readonly once: LogOnce;
  private readonly now: () => number;

  constructor(private readonly opts: FileRouteSourceOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.once = new LogOnce(this.logger);
    this.now = opts.now ?? Date.now;
    this.failed = new Promise(() => {});
  }

  isReady(): boolean {
    return this.readyLatch.done;
  }

  async start(): Promise<void> {
    await this.load(true);
    const file = basename(this.opts.path);
    try {
      this.watcher = watch(dirname(this.opts.path), { persistent: false }, (_event, name) => {
        if (name === null || name === file) this.schedule();
      });
      this.watcher.on('error', () => {
        // The stat timer keeps working.
      });
    } catch {
      // Directories that cannot be watched still get the stat timer.
    }
    this.timer = setInterval(() => {
      void this.stamp().then((s) => {
        if (s !== this.lastStamp) this.schedule();
      });
    }, this.opts.statIntervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    await this.loading;
  }

  /** Re-reads the file now (also what a change triggers). Never rejects. */
  reload(): Promise<void> {
    const run = (this.loading ?? Promise.resolve()).then(() => this.load(false).catch(() => {}));
    this.loading = run;
    return run;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), 30);
  }

  private async stamp(): Promise<string> {
    try {
      const s = await stat(this.opts.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private async load(first: boolean): Promise<void> {
    const { path, table } = this.opts;
    const m = table.metrics;
    // Taken before reading, so a stat tick during the load does not schedule the same content again.
    this.lastStamp = await this.stamp();
    let parsed: ParsedRoutes;
    try {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new RouteSourceError('ROUTES_FILE', path, `${path}: cannot read routes file: ${(err as Error).message}`, { cause: err });
      }
      try {
        parsed = parseRoutesDocument(decodeRoutesFile(path, text), path);
      } catch (err) {
        if (err instanceof RouteEntryError) throw new RouteSourceError('ROUTES_FILE', path, err.message, { cause: err });
        throw err;
      }
    } catch (err) {
      m.fileLoadsFailed++;
      if (!first) this.logger.error({ err, path }, 'routes file reload failed; keeping the previous table');
      throw err;
    }
    if (this.stopped && !first) return;
    m.messagesReceived += parsed.entries.length + parsed.invalid.length;
    for (const e of parsed.invalid) {
      countReason(m.messagesInvalid, e.reason);
      this.once.warn(e.message, { path, reason: e.reason, error: e.message }, 'routes file entry skipped');
    }
    const now = this.now();
    table.replaceAll(parsed.entries, now);
    m.fileLoadsOk++;
    m.lastLoadMs = now;
    this.logger.info({ path, routes: m.routesKnown, instances: m.instancesKnown, skipped: parsed.invalid.length }, 'routes file loaded');
    if (this.readyLatch.open()) {
      m.ready = 1;
    }
  }
}
