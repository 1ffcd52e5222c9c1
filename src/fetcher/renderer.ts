import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ExpositionFormat, type Labels, parseExposition } from '../exposition/index.js';
import { type RenderedFamily, type RenderedSource, renderSource } from './render.js';

/** Parses a fetched body and renders it with its target labels (in-process or on worker threads). */
export interface Renderer {
  /** Rejects with an `Error` whose `code` is `EXPOSITION_*` when the body is not valid exposition. */
  render(body: Buffer, contentType: string | null, targetLabels: Labels, format: ExpositionFormat): Promise<RenderedSource>;
  close(): Promise<void>;
}

/** The work itself; also what each worker thread runs. */
export function parseAndRender(body: Buffer, contentType: string | null, targetLabels: Labels, format: ExpositionFormat): RenderedSource {
  return renderSource(parseExposition(body, { contentType }), targetLabels, format, body.length);
}

/** On the event loop: simplest, and best when there is a single core. */
export const inlineRenderer: Renderer = {
  render: async (body, contentType, targetLabels, format) => parseAndRender(body, contentType, targetLabels, format),
  close: async () => {},
};

/** How a rendered source crosses the thread boundary: one transferred buffer plus offsets. */
export interface WorkerReply {
  id: number;
  ok: boolean;
  buffer?: ArrayBuffer;
  families?: { name: string; type: string; help: string | null; unit: string | null; offset: number; length: number }[];
  series?: number;
  duplicates?: number;
  error?: { message: string; code?: string };
}

interface Job {
  id: number;
  msg: { id: number; body: Uint8Array; contentType: string | null; targetLabels: Labels; format: ExpositionFormat };
  resolve: (r: RenderedSource) => void;
  reject: (e: Error) => void;
}

class RenderError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Parses and renders on `size` worker threads (started on first use), so the sources of one merged
 * request are processed in parallel on several cores and the event loop stays free for I/O.
 * Bodies are transferred, not copied; a crashed worker fails its job and is replaced.
 */
export class WorkerRenderer implements Renderer {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {}

  render(body: Buffer, contentType: string | null, targetLabels: Labels, format: ExpositionFormat): Promise<RenderedSource> {
    if (this.closed) return Promise.reject(new RenderError('renderer closed', 'FETCHER_CLOSED'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.queue.push({ id, msg: { id, body, contentType, targetLabels, format }, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./render-worker.js', import.meta.url));
    this.started++;
    w.on('message', (reply: WorkerReply) => this.onReply(w, reply));
    w.on('error', (err) => this.onDeath(w, err));
    w.on('exit', (code) => this.onDeath(w, new Error(`render worker exited with code ${code}`)));
    w.unref();
    return w;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (w === undefined) {
        if (this.started >= this.size) return;
        w = this.spawn();
      }
      const job = this.queue.shift() as Job;
      this.busy.set(w, job);
      w.ref(); // a job in flight keeps the process alive; an idle worker does not
      const b = job.msg.body;
      // Transfer the body when it owns its memory; a view into a shared pool would take others' bytes along.
      const own = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
      w.postMessage(job.msg, own ? [b.buffer as ArrayBuffer] : []);
    }
  }

  private onReply(w: Worker, r: WorkerReply): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    w.unref();
    if (!this.closed) this.idle.push(w);
    if (job !== undefined && job.id === r.id) {
      if (r.ok && r.buffer !== undefined && r.families !== undefined) {
        const buf = Buffer.from(r.buffer);
        const families: RenderedFamily[] = r.families.map((f) => ({
          name: f.name,
          type: f.type,
          help: f.help,
          unit: f.unit,
          lines: buf.subarray(f.offset, f.offset + f.length),
        }));
        job.resolve({ families, series: r.series ?? 0, duplicates: r.duplicates ?? 0 });
      } else job.reject(new RenderError(r.error?.message ?? 'render failed', r.error?.code ?? 'FETCHER_RENDER'));
    }
    this.pump();
  }

  private onDeath(w: Worker, err: Error): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    const i = this.idle.indexOf(w);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.started > 0) this.started--;
    job?.reject(new RenderError(`render worker failed: ${err.message}`, 'FETCHER_RENDER'));
    if (!this.closed) this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new RenderError('renderer closed', 'FETCHER_CLOSED'));
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate().catch(() => 0)));
  }
}

/** `parse_workers` semantics: 0 = in-process; default = the cores available (at most 4) when more than one. */
export function createRenderer(workers: number | null): Renderer {
  const n = workers ?? (availableParallelism() > 1 ? Math.min(4, availableParallelism()) : 0);
  return n > 0 ? new WorkerRenderer(n) : inlineRenderer;
}
