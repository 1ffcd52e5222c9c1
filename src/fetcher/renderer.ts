import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ExpositionFormat, type Labels, parseExposition } from '../exposition/index.js';
import type { BodyBuffers } from './instance-client.js';
import { type RenderedFamily, type RenderedSource, renderSource } from './render.js';
import { RenderCaches } from './render-cache.js';
import { copyInto, SharedBufferPool, type SharedBufferSlot } from './shared-buffer-pool.js';

/** Parses a fetched body and renders it with its target labels (in-process or on worker threads). */
export interface Renderer {
  /**
   * Rejects with an `Error` whose `code` is `EXPOSITION_*` when the body is not valid exposition.
   * `sourceKey` (the source's URL) turns on its render cache: a repeated series is not parsed and
   * rendered again; the same key is always rendered on the same thread.
   */
  render(
    body: Buffer | readonly Buffer[],
    contentType: string | null,
    targetLabels: Labels,
    format: ExpositionFormat,
    sourceKey?: string,
    group?: RenderGroup,
  ): Promise<RenderedSource>;
  /**
   * The sources (keys, in merge order) of one merged request about to be rendered: its renders
   * (`render(…, group)`) are laid out for the merge, each family's lines of one worker's sources in
   * one piece. `release` once the merged response no longer needs the lines (with their own
   * `release`s).
   */
  group?(sourceKeys: readonly string[]): RenderGroup;
  /**
   * Where to read `sourceKey`'s next body so that `render` takes it without a copy (a body given
   * to `render` as the one buffer taken from these, from offset 0), if this renderer has such memory.
   */
  bodyBuffers?(sourceKey: string): BodyBuffers;
  close(): Promise<void>;
}

/** One merged request's renders (`Renderer.group`). */
export interface RenderGroup {
  /**
   * The sources' indexes in the order to fetch them: each worker's run of consecutive sources
   * interleaved with the others', so that every worker has bodies to render as they come in.
   */
  readonly order: readonly number[];
  /** The lines of the group's renders may be reused: call once the response is written (idempotent). */
  release(): void;
}

/** A body received in chunks, as one buffer. */
function whole(body: Buffer | readonly Buffer[]): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return body.length === 1 ? (body[0] as Buffer) : Buffer.concat(body as Buffer[]);
}

/** This thread's render caches (each worker has its own). */
export const threadCaches = new RenderCaches();

/** The work itself; also what each worker thread runs. */
export function parseAndRender(
  body: Buffer,
  contentType: string | null,
  targetLabels: Labels,
  format: ExpositionFormat,
  sourceKey?: string,
  pool: SharedBufferPool | null = null,
  cacheKey?: string,
  borrow = false,
): RenderedSource {
  if (sourceKey !== undefined) return threadCaches.render(sourceKey, body, contentType, targetLabels, format, pool, cacheKey, borrow);
  return renderSource(parseExposition(body, { contentType }), targetLabels, format, body.length);
}

/** On the event loop: simplest, and best when there is a single core. */
export const inlineRenderer: Renderer = {
  render: async (body, contentType, targetLabels, format, sourceKey) =>
    parseAndRender(whole(body), contentType, targetLabels, format, sourceKey),
  close: async () => {},
};

/**
 * How a rendered source crosses the thread boundary: offsets into one buffer, either transferred
 * (`buffer`) or an output pool slot (`slot`, with its `sab` the first time).
 */
export interface WorkerReply {
  id: number;
  ok: boolean;
  buffer?: ArrayBuffer;
  slot?: number;
  sab?: SharedArrayBuffer;
  /** Slots the worker dropped: forget their mapping. */
  dropped?: number[];
  /** Placed in the group's arena: per family, slot id, offset and length (triples). */
  places?: number[];
  /** Arena slots the main thread has not mapped yet. */
  newSlots?: { id: number; sab: SharedArrayBuffer }[];
  /** Per family: offset and length of its lines in the buffer. */
  offsets?: number[];
  /** The families, when the main thread does not have them for this source already (see `Lane.told`). */
  families?: FamilyMeta[];
  /** With `families` of a keyed job: the worker's generation of those descriptions; a new one drops the older ones. */
  epoch?: number;
  series?: number;
  duplicates?: number;
  error?: { message: string; code?: string };
}

/** A render job as posted: the body either in `body` or in the lane's input slot `input`. */
export interface JobMessage {
  id: number;
  body?: Uint8Array;
  input?: number;
  /** The input slot's memory, the first time the worker sees it. */
  inputSab?: SharedArrayBuffer;
  length?: number;
  /** Input slots the worker may unmap. */
  dropInputs?: number[];
  contentType: string | null;
  /** A job without a source key: its labels and format. */
  targetLabels?: Labels;
  format?: ExpositionFormat;
  /** A keyed job: its source key, labels and format, told once per worker (`JobSpec`). */
  spec?: number;
  /** With `spec` the first time this worker sees it. */
  specDef?: JobSpec;
  /** Forget every spec told before this message's `specDef` (the main thread started over). */
  clearSpecs?: true;
  /** Output slots given back (as `ReleaseMessage`), before this job takes one. */
  release?: number[];
  /** Groups whose arenas are given back (as `ReleaseMessage.groups`). */
  releaseGroups?: number[];
  /** The merged request this job is part of (`RenderGroup`): its lines go to the group's arena. */
  group?: number;
  /** With `group`: the group's jobs on this worker in all (sizes the arena). */
  expect?: number;
}

/**
 * What a keyed job renders with, sent to a worker once and then named by id: serializing the
 * nine target labels and the key with each of a request's 50 jobs, and building the worker's cache
 * key from them again, was a good part of the main thread's `postMessage` cost.
 */
export interface JobSpec {
  sourceKey: string;
  targetLabels: Labels;
  format: ExpositionFormat;
}

/** A job's spec as the main thread remembers telling it to one worker. */
interface ToldSpec {
  id: number;
  targetLabels: Labels;
  format: ExpositionFormat;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An input slot lent to a fetch to read a body into (`WorkerRenderer.bodyBuffers`). */
interface Lent {
  lane: Lane;
  pool: SharedBufferPool;
  slot: SharedBufferSlot;
}

interface Job {
  id: number;
  msg: JobMessage;
  /** A keyed job's source, labels and format: posted as a spec (`specOf`). */
  sourceKey: string | undefined;
  targetLabels: Labels;
  format: ExpositionFormat;
  /** Set for a job pinned to a lane: its body, until it is copied into an input slot. */
  chunks: readonly Buffer[] | null;
  input: SharedBufferSlot | null;
  resolve: (r: RenderedSource) => void;
  reject: (e: Error) => void;
  /** The merged request it belongs to, if any. */
  group: Group | null;
}

/** A `RenderGroup` of `WorkerRenderer`: its id, its jobs per lane, and the workers holding its arenas. */
class Group implements RenderGroup {
  readonly expect = new Map<Lane, number>();
  readonly sentTo = new Map<Lane, Worker>();
  order: number[] = [];
  private released = false;
  constructor(
    readonly id: number,
    private readonly onRelease: (g: Group) => void,
  ) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this);
  }
}

class RenderError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A rendered family without its lines. */
export interface FamilyMeta {
  name: string;
  type: string;
  help: string | null;
  unit: string | null;
}

/** A message to a worker that is not a job: these slots' responses are written, reuse them. */
export interface ReleaseMessage {
  release: number[];
  /** Groups whose responses are written: their arenas' slots. */
  groups?: number[];
}

/**
 * The jobs posted to one worker in one turn of the event loop, in one message: bodies arrive one
 * socket read at a time, and a message per body woke the (often idle) worker once per body, which
 * cost the main thread more than serializing the jobs.
 */
export interface BatchMessage {
  jobs: JobMessage[];
}

/** The replies to one batch's jobs, in order. */
export interface BatchReply {
  replies: WorkerReply[];
}

/** One worker thread (started on first use), the job it runs and the jobs pinned to it. */
class Lane {
  worker: Worker | null = null;
  /** The worker's output pool slots, mapped here. */
  readonly slots = new Map<number, Buffer>();
  /** Per source key: the families the worker last described (it sends them again only when they change). */
  told = new Map<string, FamilyMeta[]>();
  toldEpoch = 0;
  /** Bodies for the worker, copied here from the received chunks. */
  inputs = new SharedBufferPool(INPUT_POOL_BYTES);
  /** Jobs posted to the worker and not answered yet, by id (answered in order). */
  readonly inflight = new Map<number, Job>();
  readonly queue: Job[] = [];
  /** Source keys pinned here. */
  pinned = 0;
  /** Output slots given back and not yet told to the worker: sent in one message (see `releaseSlot`). */
  released: number[] = [];
  /** Groups whose arenas are given back, not yet told to the worker (with `released`). */
  releasedGroups: number[] = [];
  /** Per source key: the specs this worker was told (a key rendered in two formats has two). */
  specs = new Map<string, ToldSpec[]>();
  specCount = 0;
  nextSpec = 1;
  /** The next spec told clears the worker's: `specs` started over. */
  clearSpecs = false;
}

/** Specs remembered per worker; past this both sides start over. */
const MAX_SPECS = 20_000;

/**
 * Jobs posted to one worker ahead of its replies: it goes from one to the next without waiting
 * for the main thread to see a reply and post again (a busy event loop left workers idle). Room
 * for a few requests' jobs: a batch is answered only once done, so a small cap left the worker
 * without work while the main thread waited for a whole batch's reply.
 */
const MAX_INFLIGHT = 64;

/** Bytes of bodies in flight to one worker, past which they go as plain buffers. */
const INPUT_POOL_BYTES = 256 << 20;

/** Source keys remembered for pinning; past this the table starts over (caches warm up again). */
const MAX_PINNED = 20_000;

/**
 * Parses and renders on `size` worker threads (started on first use), so the sources of one merged
 * request are processed in parallel on several cores and the event loop stays free for I/O.
 * A job with a source key always goes to the same worker, where that source's render cache lives
 * (first seen in a `group`: the group's new sources in runs of consecutive ones per worker, from
 * the one with the fewest keys; else the one with the fewest keys); other jobs go to any idle worker.
 * Bodies are transferred, not copied; a crashed worker fails its job and is replaced.
 */
export class WorkerRenderer implements Renderer {
  private readonly lanes: Lane[];
  private readonly shared: Job[] = [];
  private readonly pins = new Map<string, Lane>();
  /** Input slots lent to fetches, by their memory. */
  private readonly lent = new Map<ArrayBufferLike, Lent>();
  private nextId = 1;
  private nextGroup = 1;
  private closed = false;
  /** A pump is due at the end of this turn of the event loop (`render` batches its jobs there). */
  private pumpScheduled = false;

  constructor(
    readonly size: number,
    /** Bytes of output slots per worker (tests: a small pool takes the fallbacks). */
    private readonly outputPoolBytes?: number,
  ) {
    this.lanes = Array.from({ length: Math.max(1, size) }, () => new Lane());
  }

  render(
    body: Buffer | readonly Buffer[],
    contentType: string | null,
    targetLabels: Labels,
    format: ExpositionFormat,
    sourceKey?: string,
    group?: RenderGroup,
  ): Promise<RenderedSource> {
    const one = Buffer.isBuffer(body) ? body : body.length === 1 ? (body[0] as Buffer) : null;
    const lent = one !== null && one.byteOffset === 0 ? this.lent.get(one.buffer) : undefined;
    if (lent !== undefined) this.lent.delete(lent.slot.sab);
    if (this.closed) {
      if (lent !== undefined) lent.pool.give(lent.slot.id);
      return Promise.reject(new RenderError('renderer closed', 'FETCHER_CLOSED'));
    }
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const msg: JobMessage = sourceKey === undefined ? { id, contentType, targetLabels, format, body: whole(body) } : { id, contentType };
      let chunks = sourceKey === undefined ? null : Buffer.isBuffer(body) ? [body] : (body as readonly Buffer[]);
      const g = group instanceof Group && sourceKey !== undefined ? group : null;
      const job: Job = { id, msg, sourceKey, targetLabels, format, chunks, input: null, resolve, reject, group: g };
      const lane = sourceKey === undefined ? null : this.laneFor(sourceKey);
      if (lent !== undefined) {
        if (lane === lent.lane && lent.pool === lane.inputs) {
          // The body is in one of this lane's input slots already.
          job.input = lent.slot;
          job.chunks = null;
          msg.input = lent.slot.id;
          msg.length = (one as Buffer).length;
          if (!lent.slot.sent) {
            lent.slot.sent = true;
            msg.inputSab = lent.slot.sab;
          }
        } else {
          // Lent before its worker was replaced (or for another key): copied as any body.
          chunks = [Buffer.from(one as Buffer)];
          job.chunks = chunks;
          lent.pool.give(lent.slot.id);
        }
      }
      if (lane === null) this.shared.push(job);
      else lane.queue.push(job);
      this.schedulePump();
    });
  }

  /**
   * Posts the queued jobs once the event loop has handled the socket reads that are ready (in
   * its check phase), so that bodies completed in the same turn go to a worker together.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  bodyBuffers(sourceKey: string): BodyBuffers {
    return {
      take: (size) => {
        const lane = this.laneFor(sourceKey);
        const slot = this.closed ? null : lane.inputs.take(Math.max(size, 1));
        if (slot === null) return null;
        this.lent.set(slot.sab, { lane, pool: lane.inputs, slot });
        return slot.buf;
      },
      give: (buf) => {
        const l = this.lent.get(buf.buffer);
        if (l === undefined) return;
        this.lent.delete(buf.buffer);
        l.pool.give(l.slot.id);
      },
    };
  }

  group(sourceKeys: readonly string[]): RenderGroup {
    const g = new Group(this.nextGroup++, (x) => this.releaseGroup(x));
    // Sources seen for the first time are pinned in runs of consecutive ones per worker (from the
    // one with the fewest), so that a family's lines of one worker's sources are one piece of the
    // merge: sources of a request are merged in this order.
    const fresh = [...new Set(sourceKeys.filter((k) => !this.pins.has(k)))];
    if (fresh.length > 0) {
      if (this.pins.size + fresh.length > MAX_PINNED) this.clearPins();
      let start = 0;
      for (let i = 1; i < this.lanes.length; i++) if ((this.lanes[i] as Lane).pinned < (this.lanes[start] as Lane).pinned) start = i;
      const per = Math.ceil(fresh.length / this.lanes.length);
      for (let i = 0; i < fresh.length; i++)
        this.pin(fresh[i] as string, this.lanes[(start + Math.floor(i / per)) % this.lanes.length] as Lane);
    }
    const byLane = new Map<Lane, number[]>();
    for (let i = 0; i < sourceKeys.length; i++) {
      const lane = this.laneFor(sourceKeys[i] as string);
      g.expect.set(lane, (g.expect.get(lane) ?? 0) + 1);
      const q = byLane.get(lane);
      if (q === undefined) byLane.set(lane, [i]);
      else q.push(i);
    }
    const queues = [...byLane.values()];
    for (let k = 0; g.order.length < sourceKeys.length; k++) for (const q of queues) if (k < q.length) g.order.push(q[k] as number);
    return g;
  }

  private laneFor(key: string): Lane {
    let lane = this.pins.get(key);
    if (lane === undefined) {
      if (this.pins.size >= MAX_PINNED) this.clearPins();
      lane = this.lanes[0] as Lane;
      for (const l of this.lanes) if (l.pinned < lane.pinned) lane = l;
      this.pin(key, lane);
    }
    return lane;
  }

  private pin(key: string, lane: Lane): void {
    lane.pinned++;
    this.pins.set(key, lane);
  }

  private clearPins(): void {
    this.pins.clear();
    for (const l of this.lanes) l.pinned = 0;
  }

  private spawn(lane: Lane): Worker {
    const w = new Worker(new URL('./render-worker.js', import.meta.url), { workerData: { outputPoolBytes: this.outputPoolBytes } });
    w.on('message', (m: BatchReply) => {
      for (const r of m.replies) this.onReply(lane, w, r);
      this.pump();
    });
    w.on('error', (err) => this.onDeath(lane, w, err));
    w.on('exit', (code) => this.onDeath(lane, w, new Error(`render worker exited with code ${code}`)));
    w.unref();
    lane.worker = w;
    return w;
  }

  private pump(): void {
    if (this.closed) return;
    for (const lane of this.lanes) {
      const batch: JobMessage[] = [];
      const transfer: ArrayBuffer[] = [];
      while (lane.inflight.size < MAX_INFLIGHT) {
        const job = lane.queue.shift() ?? this.shared.shift();
        if (job === undefined) break;
        const w = lane.worker ?? this.spawn(lane);
        if (lane.inflight.size === 0) w.ref(); // a job in flight keeps the process alive; an idle worker does not
        lane.inflight.set(job.id, job);
        if (job.chunks !== null) this.placeBody(lane, job, job.chunks);
        else if (job.input !== null) {
          const dropped = lane.inputs.takeDropped();
          if (dropped.length > 0) job.msg.dropInputs = dropped;
        }
        if (job.sourceKey !== undefined) this.specOf(lane, job);
        if (job.group !== null) {
          job.msg.group = job.group.id;
          job.msg.expect = job.group.expect.get(lane) ?? 1;
          job.group.sentTo.set(lane, w);
        }
        if (lane.released.length > 0) {
          job.msg.release = lane.released;
          lane.released = [];
        }
        if (lane.releasedGroups.length > 0) {
          job.msg.releaseGroups = lane.releasedGroups;
          lane.releasedGroups = [];
        }
        const b = job.msg.body;
        // Transfer the body when it owns its memory; a view into a shared pool would take others' bytes along.
        const own = b !== undefined && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
        if (own) transfer.push(b.buffer as ArrayBuffer);
        batch.push(job.msg);
      }
      if (batch.length > 0) (lane.worker as Worker).postMessage({ jobs: batch } satisfies BatchMessage, transfer);
    }
  }

  /** Names the keyed job's source, labels and format by a spec id of the lane's worker, telling it the first time. */
  private specOf(lane: Lane, job: Job): void {
    const { msg, targetLabels, format } = job;
    const key = job.sourceKey as string;
    let told = lane.specs.get(key);
    const hit = told?.find((t) => t.format === format && sameLabels(t.targetLabels, targetLabels));
    if (hit !== undefined) {
      msg.spec = hit.id;
      return;
    }
    if (lane.specCount >= MAX_SPECS) {
      lane.specs = new Map();
      lane.specCount = 0;
      lane.clearSpecs = true;
      told = undefined;
    }
    const t: ToldSpec = { id: lane.nextSpec++, targetLabels, format };
    if (told === undefined) lane.specs.set(key, [t]);
    else if (told.length < 4) told.push(t);
    else told[told.length - 1] = t; // a source seen under many labels (its routes changed): the newest few
    lane.specCount++;
    msg.spec = t.id;
    msg.specDef = { sourceKey: key, targetLabels, format };
    if (lane.clearSpecs) {
      msg.clearSpecs = true;
      lane.clearSpecs = false;
    }
  }

  /** The body into one of the lane's input slots (else into one buffer of its own). */
  private placeBody(lane: Lane, job: Job, chunks: readonly Buffer[]): void {
    let length = 0;
    for (const c of chunks) length += c.length;
    const slot = lane.inputs.take(Math.max(length, 1));
    if (slot === null) {
      job.msg.body = whole(chunks);
      return;
    }
    let off = 0;
    for (const c of chunks) {
      copyInto(slot.buf, c, off);
      off += c.length;
    }
    job.input = slot;
    job.msg.input = slot.id;
    job.msg.length = length;
    if (!slot.sent) {
      slot.sent = true;
      job.msg.inputSab = slot.sab;
    }
    const dropped = lane.inputs.takeDropped();
    if (dropped.length > 0) job.msg.dropInputs = dropped;
  }

  private onReply(lane: Lane, w: Worker, r: WorkerReply): void {
    if (lane.worker !== w) return;
    const job = lane.inflight.get(r.id) ?? null;
    lane.inflight.delete(r.id);
    if (job?.input) lane.inputs.give(job.input.id); // the worker is done with the body
    if (lane.inflight.size === 0) w.unref();
    if (r.dropped !== undefined) for (const id of r.dropped) lane.slots.delete(id);
    if (r.sab !== undefined && r.slot !== undefined) lane.slots.set(r.slot, Buffer.from(r.sab));
    if (r.newSlots !== undefined) for (const n of r.newSlots) lane.slots.set(n.id, Buffer.from(n.sab));
    if (job !== null && job.id === r.id) {
      const buf = r.buffer !== undefined ? Buffer.from(r.buffer) : r.slot !== undefined ? lane.slots.get(r.slot) : undefined;
      const key = job.sourceKey;
      let metas = r.families;
      if (metas !== undefined && key !== undefined) {
        if (r.epoch !== lane.toldEpoch) {
          lane.told = new Map();
          lane.toldEpoch = r.epoch ?? 0;
        }
        lane.told.set(key, metas);
      } else if (metas === undefined && key !== undefined) metas = lane.told.get(key);
      const offsets = r.offsets;
      const places = r.places;
      if (r.ok && places !== undefined && metas !== undefined) {
        // In the group's arena: released with the group.
        const families: RenderedFamily[] = metas.map((f, i) => {
          const slot = lane.slots.get(places[3 * i] as number) as Buffer;
          const off = places[3 * i + 1] as number;
          return { name: f.name, type: f.type, help: f.help, unit: f.unit, lines: slot.subarray(off, off + (places[3 * i + 2] as number)) };
        });
        job.resolve({ families, series: r.series ?? 0, duplicates: r.duplicates ?? 0 });
      } else if (r.ok && buf !== undefined && metas !== undefined && offsets !== undefined) {
        const families: RenderedFamily[] = metas.map((f, i) => {
          const off = offsets[2 * i] as number;
          return { name: f.name, type: f.type, help: f.help, unit: f.unit, lines: buf.subarray(off, off + (offsets[2 * i + 1] as number)) };
        });
        const slot = r.slot;
        if (slot === undefined) job.resolve({ families, series: r.series ?? 0, duplicates: r.duplicates ?? 0 });
        else {
          let released = false;
          const release = () => {
            if (released || lane.worker !== w) return;
            released = true;
            this.releaseSlot(lane, w, slot);
          };
          job.resolve({ families, series: r.series ?? 0, duplicates: r.duplicates ?? 0, release });
        }
      } else job.reject(new RenderError(r.error?.message ?? 'render failed', r.error?.code ?? 'FETCHER_RENDER'));
    }
  }

  /**
   * A response let go of the slot: the worker hears of it in one message with the others given
   * back in the same turn (a response's 50 sources are released together), not one message each.
   */
  private releaseSlot(lane: Lane, w: Worker, slot: number): void {
    this.flushReleases(lane, w);
    lane.released.push(slot);
  }

  /** The group's arenas go back to their workers (those it was sent to that still run). */
  private releaseGroup(g: Group): void {
    for (const [lane, w] of g.sentTo) {
      if (lane.worker !== w) continue;
      this.flushReleases(lane, w);
      lane.releasedGroups.push(g.id);
    }
  }

  /** Releases given back in this turn go to the worker in one message at its end (or with its next job). */
  private flushReleases(lane: Lane, w: Worker): void {
    if (lane.released.length > 0 || lane.releasedGroups.length > 0) return; // already due
    queueMicrotask(() => {
      if (lane.worker !== w || (lane.released.length === 0 && lane.releasedGroups.length === 0)) return; // a new worker's ids are its own flush's
      const m: ReleaseMessage = { release: lane.released };
      if (lane.releasedGroups.length > 0) m.groups = lane.releasedGroups;
      w.postMessage(m);
      lane.released = [];
      lane.releasedGroups = [];
    });
  }

  private onDeath(lane: Lane, w: Worker, err: Error): void {
    if (lane.worker !== w) return;
    const jobs = [...lane.inflight.values()];
    lane.inflight.clear();
    lane.worker = null;
    lane.released = [];
    lane.releasedGroups = [];
    lane.specs = new Map(); // a new worker is told them afresh
    lane.specCount = 0;
    lane.clearSpecs = false;
    lane.slots.clear();
    lane.told = new Map();
    lane.toldEpoch = 0;
    lane.inputs = new SharedBufferPool(INPUT_POOL_BYTES); // a new worker maps them afresh
    for (const job of lane.queue) {
      // Bodies read into the old pool's slots: copied into the new one when posted.
      if (job.input === null || job.chunks !== null) continue;
      job.chunks = [Buffer.from(job.input.buf.subarray(0, job.msg.length))];
      job.input = null;
      delete job.msg.input;
      delete job.msg.inputSab;
      delete job.msg.length;
    }
    for (const job of jobs) job.reject(new RenderError(`render worker failed: ${err.message}`, 'FETCHER_RENDER'));
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.shared.splice(0);
    for (const l of this.lanes) {
      pending.push(...l.queue.splice(0), ...l.inflight.values());
      l.inflight.clear();
    }
    for (const j of pending) j.reject(new RenderError('renderer closed', 'FETCHER_CLOSED'));
    const all: Worker[] = [];
    for (const l of this.lanes) {
      if (l.worker !== null) all.push(l.worker);
      l.worker = null;
    }
    await Promise.all(all.map((w) => w.terminate().catch(() => 0)));
  }
}

/** `parse_workers` semantics: 0 = in-process; default = the cores available (at most 4) when more than one. */
export function createRenderer(workers: number | null): Renderer {
  const n = workers ?? (availableParallelism() > 1 ? Math.min(4, availableParallelism()) : 0);
  return n > 0 ? new WorkerRenderer(n) : inlineRenderer;
}
