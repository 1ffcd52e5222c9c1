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
      // Every family's lines are views into one buffer: copy that span once into a fresh ArrayBuffer to transfer.
      let total = 0;
      for (const f of r.families) total += f.lines.length;
      const out = new Uint8Array(new ArrayBuffer(total));
      let off = 0;
      const families = r.families.map((f) => {
        out.set(f.lines, off);
        const d = { name: f.name, type: f.type, help: f.help, unit: f.unit, offset: off, length: f.lines.length };
        off += f.lines.length;
        return d;
      });
      reply = { id: m.id, ok: true, buffer: out.buffer, families, series: r.series, duplicates: r.duplicates };
      transfer = [out.buffer];
    } catch (err) {
      const e = err as { message?: string; code?: string };
      reply = { id: m.id, ok: false, error: { message: e.message ?? String(err), ...(e.code !== undefined ? { code: e.code } : {}) } };
    }
    parentPort?.postMessage(reply, transfer);
  },
);
