// Worker thread entry of WorkerRenderer: parse + render one source per message.
import { parentPort } from 'node:worker_threads';
import type { ExpositionFormat, Labels } from '../exposition/index.js';
import { parseAndRender, type WorkerReply } from './renderer.js';

parentPort?.on(
  'message',
  (m: { id: number; body: Uint8Array; contentType: string | null; targetLabels: Labels; format: ExpositionFormat; sourceKey?: string }) => {
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      const r = parseAndRender(body, m.contentType, m.targetLabels, m.format, m.sourceKey);
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
  },
);
