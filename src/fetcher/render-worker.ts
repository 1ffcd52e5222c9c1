// Worker thread entry of WorkerRenderer: parse + render one source per message.
import { parentPort, workerData } from 'node:worker_threads';
import type { ExpositionFormat, Labels } from '../exposition/index.js';
import type { RenderedFamily } from './render.js';
import { renderCacheKey } from './render-cache.js';
import {
  type BatchMessage,
  type BatchReply,
  type FamilyMeta,
  type JobMessage,
  type JobSpec,
  parseAndRender,
  type ReleaseMessage,
  type WorkerReply,
} from './renderer.js';
import { copyInto, SharedBufferPool, type SharedBufferSlot } from './shared-buffer-pool.js';

const pool = new SharedBufferPool((workerData as { outputPoolBytes?: number } | null)?.outputPoolBytes);

/** Where a family's lines of one group's sources go: appended at `end` until `cap`. */
interface Block {
  slot: SharedBufferSlot;
  end: number;
  cap: number;
}

/**
 * The output of one merged request's sources on this worker (a `group`): per family, one block
 * of a pool slot that each source's lines of that family are appended to, so that the response
 * lists a family's lines of all these sources as one piece instead of one per source. A block is
 * sized for the sources still to come (`expect`), with slack, when its family recurs (it is in
 * the first source, or outgrew its block), else for this source's lines alone: memory stays
 * about the group's output. Given back as a whole once the response is written
 * (`ReleaseMessage.groups`).
 */
class Arena {
  readonly slots: SharedBufferSlot[] = [];
  cur: SharedBufferSlot | null = null;
  bump = 0;
  readonly blocks = new Map<string, Block>();
  seen = 0;
  constructor(readonly expect: number) {}
}

const arenas = new Map<number, Arena>();
/** Arenas open at once, past which a group's sources take one slot each (releases lost to a bug cannot pile up). */
const MAX_ARENAS = 1024;

/** A block of `want` bytes in the arena (a new slot when the current one is full); null when the pool is. */
function carve(a: Arena, want: number, rest: number): Block | null {
  if (a.cur === null || a.bump + want > a.cur.buf.length) {
    // Room for what is left of the group, so that its blocks follow each other in one slot.
    const s = pool.take(Math.max(want, rest));
    if (s === null) return null;
    a.slots.push(s);
    a.cur = s;
    a.bump = 0;
  }
  const b = { slot: a.cur, end: a.bump, cap: a.bump + want };
  a.bump += want;
  return b;
}

/**
 * Copies the render's families into the group's arena: per family, slot id, offset and length
 * (triples). Null when the pool is full (the families placed so far only waste their room).
 */
function place(a: Arena, families: readonly RenderedFamily[]): number[] | null {
  const remaining = Math.max(1, a.expect - a.seen);
  let total = 0;
  for (const f of families) total += f.lines.length;
  // Headroom: the next sources' renders are about as large as this one, a little more or less.
  const rest = Math.ceil(total * remaining * 1.25) + 65536;
  const places: number[] = [];
  for (const f of families) {
    const n = f.lines.length;
    let b = a.blocks.get(f.name);
    if (b === undefined || b.end + n > b.cap) {
      // Room for the sources to come when the family recurs (it was in the first source, or it
      // outgrew its block); a family first seen later may be this source's alone.
      const recurs = a.seen === 0 || b !== undefined;
      const nb = carve(a, Math.ceil(n * (recurs ? remaining : 1) * 1.25) + 1024, rest);
      if (nb === null) return null;
      b = nb;
      a.blocks.set(f.name, b);
    }
    copyInto(b.slot.buf, f.lines, b.end);
    places.push(b.slot.id, b.end, n);
    b.end += n;
  }
  a.seen++;
  return places;
}

/** The group's slots are free again: its response was written. */
function releaseGroup(g: number): void {
  const a = arenas.get(g);
  if (a === undefined) return;
  arenas.delete(g);
  for (const s of a.slots) pool.give(s.id);
}

/** Input slots of the main thread's pool for this worker, mapped once. */
const inputs = new Map<number, Buffer>();

function bodyOf(m: JobMessage): Buffer {
  if (m.dropInputs !== undefined) for (const id of m.dropInputs) inputs.delete(id);
  if (m.input === undefined) {
    const b = m.body as Uint8Array;
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
  if (m.inputSab !== undefined) inputs.set(m.input, Buffer.from(m.inputSab));
  const slot = inputs.get(m.input);
  if (slot === undefined) throw new Error(`render worker: unknown input slot ${m.input}`);
  return slot.subarray(0, m.length);
}

/** The specs the main thread told, by id, each with its render cache key. */
const specs = new Map<number, JobSpec & { cacheKey: string }>();

function specOf(m: JobMessage): (JobSpec & { cacheKey: string }) | null {
  if (m.spec === undefined) return null;
  if (m.clearSpecs) specs.clear();
  if (m.specDef !== undefined) {
    const d = m.specDef;
    specs.set(m.spec, { ...d, cacheKey: renderCacheKey(d.format, d.sourceKey, d.targetLabels) });
  }
  const s = specs.get(m.spec);
  if (s === undefined) throw new Error(`render worker: unknown spec ${m.spec}`);
  return s;
}

/** Per source key: the families (names, types, HELP, UNIT) the main thread was last told. */
let told = new Map<string, FamilyMeta[]>();
let toldEpoch = 0;
const MAX_TOLD = 20_000;

/** Adds the families' descriptions to the reply unless the main thread has them for this source. */
function describeFamilies(reply: WorkerReply, sourceKey: string | undefined, families: readonly RenderedFamily[]): void {
  const last = sourceKey === undefined ? undefined : told.get(sourceKey);
  if (last !== undefined && last.length === families.length && families.every((f, i) => sameMeta(f, last[i] as FamilyMeta))) return;
  const metas = families.map((f): FamilyMeta => ({ name: f.name, type: f.type, help: f.help, unit: f.unit }));
  reply.families = metas;
  if (sourceKey === undefined) return;
  if (told.size >= MAX_TOLD) {
    told = new Map();
    toldEpoch++;
  }
  told.set(sourceKey, metas);
  reply.epoch = toldEpoch;
}

function sameMeta(f: RenderedFamily, m: FamilyMeta): boolean {
  return f.name === m.name && f.type === m.type && f.help === m.help && f.unit === m.unit;
}

/** Runs one job; an output buffer to transfer goes to `transfer`. */
function run(m: JobMessage, transfer: ArrayBuffer[]): WorkerReply {
  // Output slots given back with the job: before it takes one.
  if (m.release !== undefined) for (const id of m.release) pool.give(id);
  if (m.releaseGroups !== undefined) for (const g of m.releaseGroups) releaseGroup(g);
  let reply: WorkerReply;
  try {
    const spec = specOf(m);
    const body = bodyOf(m);
    let arena: Arena | null = null;
    if (m.group !== undefined && spec !== null) {
      arena = arenas.get(m.group) ?? null;
      if (arena === null && arenas.size < MAX_ARENAS) {
        arena = new Arena(m.expect ?? 1);
        arenas.set(m.group, arena);
      }
    }
    // With an arena, the lines are copied from the render cache's own buffer straight into it.
    const borrow = arena !== null;
    const r =
      spec === null
        ? parseAndRender(body, m.contentType, m.targetLabels as Labels, m.format as ExpositionFormat, undefined, pool)
        : parseAndRender(body, m.contentType, spec.targetLabels, spec.format, spec.sourceKey, borrow ? null : pool, spec.cacheKey, borrow);
    const placed = arena === null ? null : place(arena, r.families);
    const offsets: number[] = [];
    if (placed !== null) {
      reply = { id: m.id, ok: true, places: placed, series: r.series, duplicates: r.duplicates };
      for (const s of (arena as Arena).slots) {
        if (s.sent) continue;
        s.sent = true;
        if (reply.newSlots === undefined) reply.newSlots = [];
        reply.newSlots.push({ id: s.id, sab: s.sab });
      }
      const dropped = pool.takeDropped();
      if (dropped.length > 0) reply.dropped = dropped;
    } else if (r.slot !== undefined) {
      // Lines are views into a pool slot the main thread maps: offsets only.
      for (const f of r.families) offsets.push(f.lines.byteOffset, f.lines.length);
      reply = { id: m.id, ok: true, slot: r.slot.id, offsets, series: r.series, duplicates: r.duplicates };
      if (!r.slot.sent) {
        r.slot.sent = true;
        reply.sab = r.slot.sab;
      }
      const dropped = pool.takeDropped();
      if (dropped.length > 0) reply.dropped = dropped;
    } else {
      // Lines are views into the render's own buffer: transfer it as is when they all are in one
      // (the usual case), else copy them once into a fresh ArrayBuffer.
      const first = r.families[0]?.lines.buffer;
      let out: ArrayBuffer;
      // A borrowed buffer stays with the render cache: copied, never transferred.
      if (!borrow && first instanceof ArrayBuffer && r.families.every((f) => f.lines.buffer === first) && !transfer.includes(first)) {
        out = first;
        for (const f of r.families) offsets.push(f.lines.byteOffset, f.lines.length);
      } else {
        let total = 0;
        for (const f of r.families) total += f.lines.length;
        const copy = new Uint8Array(new ArrayBuffer(total));
        out = copy.buffer;
        let off = 0;
        for (const f of r.families) {
          copy.set(f.lines, off);
          offsets.push(off, f.lines.length);
          off += f.lines.length;
        }
      }
      reply = { id: m.id, ok: true, buffer: out, offsets, series: r.series, duplicates: r.duplicates };
      transfer.push(out);
    }
    describeFamilies(reply, spec?.sourceKey, r.families);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    reply = { id: m.id, ok: false, error: { message: e.message ?? String(err), ...(e.code !== undefined ? { code: e.code } : {}) } };
  }
  return reply;
}

// A batch's replies go back in one message, as the jobs came (one wake-up of the main thread).
parentPort?.on('message', (m: BatchMessage | ReleaseMessage) => {
  if (!('jobs' in m)) {
    for (const id of m.release) pool.give(id);
    if (m.groups !== undefined) for (const g of m.groups) releaseGroup(g);
    return;
  }
  const transfer: ArrayBuffer[] = [];
  const replies = m.jobs.map((j) => run(j, transfer));
  parentPort?.postMessage({ replies } satisfies BatchReply, transfer);
});
