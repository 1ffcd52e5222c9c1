/**
 * Walking the framing of an encoded `EnvelopeBatch`: each envelope is one `batch` entry, tag
 * `0x0a`, a varint length, then its bytes. Used to drop whole envelopes from the queue, and to
 * frame and count envelopes in tests and benchmarks without decoding them.
 */

/** Index just past the entry that starts at `pos`. */
export function skipBatchEntry(b: Uint8Array, pos: number): number {
  let p = pos + 1;
  let len = 0;
  let mul = 1;
  for (;;) {
    const x = b[p++] as number;
    len += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 128;
  }
  return p + len;
}

/** Number of entries in an encoded batch. */
export function countBatchEntries(b: Uint8Array): number {
  let n = 0;
  for (let pos = 0; pos < b.length; n++) pos = skipBatchEntry(b, pos);
  return n;
}

/** One encoded envelope framed as a `batch` entry. */
export function frameBatchEntry(envelope: Uint8Array): Buffer {
  const len: number[] = [];
  let n = envelope.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), envelope]);
}
