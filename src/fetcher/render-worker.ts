// Worker thread entry of WorkerRenderer: parse + render the sources of a batch, keep their lines
// until the main thread asks for them to be copied into a merged response.
import { type MessagePort, parentPort, receiveMessageOnPort } from 'node:worker_threads';
import type { ExpositionFormat, Labels } from '../exposition/index.js';
import type { RenderedFamily, RenderedSource } from './render.js';
import { renderCacheKey } from './render-cache.js';
import {
  type AssembleMessage,
  type AssembleReply,
  type AssemblyMessage,
  type BatchMessage,
  type BatchReply,
  type FamilyMeta,
  type JobMessage,
  type JobSpec,
  parseAndRender,
  type WorkerReply,
} from './renderer.js';
import { copyInto, PlainBufferPool } from './shared-buffer-pool.js';

/** Output buffers of renders, reused once their lines are in a response. */
const outputs = new PlainBufferPool();

/**
 * Renders whose lines wait to be copied into their merged response (or dropped), by job id.
 * Bounded by the requests in flight; past `MAX_STAGED_BYTES` a render's lines go to the main
 * thread in a transferred buffer instead.
 */
const staged = new Map<number, RenderedSource>();
let stagedBytes = 0;
const MAX_STAGED_BYTES = 512 << 20;

/** Input slots of the main thread's pool for this worker, mapped once. */
const inputs = new Map<number, Buffer>();
/** Response buffers of the main thread, mapped once. */
const responses = new Map<number, Buffer>();

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

/** The render's bytes in all. */
function bytesOf(r: RenderedSource): number {
  let n = 0;
  for (const f of r.families) n += f.bytes;
  return n;
}

/** Drops a staged render: its output buffer is free again. */
function unstage(id: number): void {
  const r = staged.get(id);
  if (r === undefined) return;
  staged.delete(id);
  stagedBytes -= bytesOf(r);
  if (r.out !== undefined) outputs.give(r.out);
}

/** Runs one job; an output buffer to transfer goes to `transfer`. */
function run(m: JobMessage, transfer: ArrayBuffer[]): WorkerReply {
  let reply: WorkerReply;
  try {
    const spec = specOf(m);
    const body = bodyOf(m);
    const r =
      spec === null
        ? parseAndRender(body, m.contentType, m.targetLabels as Labels, m.format as ExpositionFormat, undefined, outputs)
        : parseAndRender(body, m.contentType, spec.targetLabels, spec.format, spec.sourceKey, outputs, spec.cacheKey);
    const bytes = bytesOf(r);
    if (stagedBytes + bytes <= MAX_STAGED_BYTES) {
      // Kept here: the lines are copied once, to their place in the response (`assemble`).
      staged.set(m.id, r);
      stagedBytes += bytes;
      reply = { id: m.id, ok: true, lengths: r.families.map((f) => f.bytes), series: r.series, duplicates: r.duplicates };
    } else {
      // Too much waiting already: the lines go along in a buffer of their own.
      let total = 0;
      for (const f of r.families) total += f.bytes;
      const copy = new Uint8Array(new ArrayBuffer(total));
      const offsets: number[] = [];
      let off = 0;
      for (const f of r.families) {
        copy.set(f.lines as Buffer, off);
        offsets.push(off, f.bytes);
        off += f.bytes;
      }
      if (r.out !== undefined) outputs.give(r.out);
      reply = { id: m.id, ok: true, buffer: copy.buffer, offsets, series: r.series, duplicates: r.duplicates };
      transfer.push(copy.buffer);
    }
    describeFamilies(reply, spec?.sourceKey, r.families);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    reply = { id: m.id, ok: false, error: { message: e.message ?? String(err), ...(e.code !== undefined ? { code: e.code } : {}) } };
  }
  return reply;
}

/** Copies staged lines to their offsets in a response buffer, then drops the jobs' renders. */
function assemble(m: AssembleMessage): AssembleReply {
  if (m.unmap !== undefined) for (const id of m.unmap) responses.delete(id);
  let error: string | undefined;
  if (m.sab !== undefined) {
    const b = Buffer.from(m.sab);
    if (m.slot !== 0) responses.set(m.slot, b);
    error = copyAll(m, b);
  } else {
    const dst = responses.get(m.slot);
    error = dst === undefined ? `unknown response buffer ${m.slot}` : copyAll(m, dst);
  }
  for (const id of m.jobs) unstage(id);
  return error === undefined ? { assembled: m.id } : { assembled: m.id, error };
}

function copyAll(m: AssembleMessage, dst: Buffer): string | undefined {
  const c = m.copies;
  for (let i = 0; i < c.length; i += 3) {
    const r = staged.get(c[i] as number);
    const f = r?.families[c[i + 1] as number];
    if (f?.lines == null) return `render ${c[i]} is not staged here`;
    copyInto(dst, f.lines, c[i + 2] as number);
  }
  return undefined;
}

/** Assembly requests: on their own port, answered between the jobs of a batch too (a response waits on them). */
let assemblyPort: MessagePort | null = null;

function onAssembly(msg: AssemblyMessage): void {
  if ('discard' in msg) for (const id of msg.discard) unstage(id);
  else assemblyPort?.postMessage(assemble(msg) satisfies AssembleReply);
}

function serveAssemblies(): void {
  const port = assemblyPort;
  if (port === null) return;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) onAssembly(m.message as AssemblyMessage);
}

// A batch's replies go back in one message, as the jobs came (one wake-up of the main thread).
parentPort?.on('message', (m: BatchMessage | { assemblyPort: MessagePort }) => {
  if ('assemblyPort' in m) {
    assemblyPort = m.assemblyPort;
    assemblyPort.on('message', onAssembly);
    return;
  }
  const transfer: ArrayBuffer[] = [];
  const replies: WorkerReply[] = [];
  for (const j of m.jobs) {
    replies.push(run(j, transfer));
    serveAssemblies();
  }
  parentPort?.postMessage({ replies } satisfies BatchReply, transfer);
});
