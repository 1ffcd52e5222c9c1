import type { Writable } from 'node:stream';

/** Writes lines in large chunks, honouring back-pressure, so big outputs stay fast and bounded. */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
      chunk = '';
    }
  }
  if (chunk.length > 0 && !out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
}
