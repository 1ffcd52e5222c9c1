/**
 * The floor for the scrape benchmark: the same targets fetched on the same schedule (each
 * target's phase as our scraper computed it) with the least a Node.js process can do — a
 * keep-alive socket per target reading each response into one reused buffer and discarding it
 * (Content-Length framing only; the bench targets send it). No parsing, no series.
 * `node fetch-floor-child.js <json>` with `{"ports":[…],"offsets":[…],"intervalMs":N}`; prints
 * `{}` once running and answers each stdin line with `{"scrapes":…}`.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { nextScrapeAt } from '../src/scrape/index.js';

const { ports, offsets, intervalMs } = JSON.parse(process.argv[2] ?? '{}') as {
  ports: number[];
  offsets: number[];
  intervalMs: number;
};
const readBuffer = Buffer.allocUnsafe(256 * 1024);
const HEAD_END = Buffer.from('\r\n\r\n');
let scrapes = 0;

function contentLength(head: Buffer): number {
  return Number(/content-length: *(\d+)/i.exec(head.toString('latin1'))?.[1] ?? 0);
}

function target(port: number, offsetMs: number): void {
  const request = Buffer.from(`GET /metrics HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/plain\r\n\r\n`, 'latin1');
  let remaining = -1;
  // A head split across reads (rare): its bytes so far.
  let partial: Buffer | null = null;
  const socket: Socket = connect({
    port,
    host: '127.0.0.1',
    onread: {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array) => {
        let at = 0;
        if (remaining < 0) {
          const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
          const head = partial === null ? chunk : Buffer.concat([partial, chunk]);
          const end = head.indexOf(HEAD_END);
          if (end === -1) {
            partial = Buffer.from(head);
            return true;
          }
          remaining = contentLength(head.subarray(0, end));
          at = n - (head.length - end - 4);
          partial = null;
        }
        remaining -= n - at;
        if (remaining <= 0) {
          remaining = -1;
          scrapes++;
        }
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  const tick = (): void => {
    socket.write(request);
  };
  const now = Date.now();
  setTimeout(
    () => {
      tick();
      setInterval(tick, intervalMs);
    },
    nextScrapeAt(now, intervalMs, offsetMs) - now,
  );
}

ports.forEach((p, i) => {
  target(p, offsets[i] ?? 0);
});
process.stdout.write('{}\n');
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${JSON.stringify({ scrapes })}\n`));
process.stdin.on('end', () => process.exit(0));
