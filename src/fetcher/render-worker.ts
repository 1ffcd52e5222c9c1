// Worker thread entry of WorkerRenderer: parse + render one source per message.
import { parentPort } from 'node:worker_threads';
import { type JobMessage, parseAndRender, type ReleaseMessage, type WorkerReply } from './renderer.js';
import { SharedBufferPool } from './shared-buffer-pool.js';

const pool = new SharedBufferPool();

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

parentPort?.on('message', (m: JobMessage | ReleaseMessage) => {
  if ('release' in m) {
    for (const id of m.release) pool.give(id);
    return;
  }
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const body = bodyOf(m);
    const r = parseAndRender(body, m.contentType, m.targetLabels, m.format, m.sourceKey, pool);
    if (r.slot !== undefined) {
      // Lines are views into a pool slot the main thread maps: offsets only.
      const offsets = r.families.map((f) => ({
        name: f.name,
        type: f.type,
        help: f.help,
        unit: f.unit,
        offset: f.lines.byteOffset,
        length: f.lines.length,
      }));
      reply = { id: m.id, ok: true, slot: r.slot.id, families: offsets, series: r.series, duplicates: r.duplicates };
      if (!r.slot.sent) {
        r.slot.sent = true;
        reply.sab = r.slot.sab;
      }
      const dropped = pool.takeDropped();
      if (dropped.length > 0) reply.dropped = dropped;
      parentPort?.postMessage(reply);
      return;
    }
    // Lines are views into the render's own buffer: transfer it as is when they all are in one
    // (the usual case), else copy them once into a fresh ArrayBuffer.
    const first = r.families[0]?.lines.buffer;
    let out: ArrayBuffer;
    let families: NonNullable<WorkerReply['families']>;
    if (first instanceof ArrayBuffer && r.families.every((f) => f.lines.buffer === first)) {
      out = first;
      families = r.families.map((f) => ({
        name: f.name,
        type: f.type,
        help: f.help,
        unit: f.unit,
        offset: f.lines.byteOffset,
        length: f.lines.length,
      }));
    } else {
      let total = 0;
      for (const f of r.families) total += f.lines.length;
      const copy = new Uint8Array(new ArrayBuffer(total));
      out = copy.buffer;
      let off = 0;
      families = r.families.map((f) => {
        copy.set(f.lines, off);
        const d = { name: f.name, type: f.type, help: f.help, unit: f.unit, offset: off, length: f.lines.length };
        off += f.lines.length;
        return d;
      });
    }
    reply = { id: m.id, ok: true, buffer: out, families, series: r.series, duplicates: r.duplicates };
    transfer = [out];
  } catch (err) {
    const e = err as { message?: string; code?: string };
    reply = { id: m.id, ok: false, error: { message: e.message ?? String(err), ...(e.code !== undefined ? { code: e.code } : {}) } };
  }
  parentPort?.postMessage(reply, transfer);
});
