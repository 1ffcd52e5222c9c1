/**
 * The floor for the scrape benchmark: the same targets fetched on the same schedule with the
 * least a Node.js process can do — a keep-alive socket per target reading each response into
 * one reused buffer and discarding it (Content-Length framing only; the bench targets send it).
 * No parsing, no series. `node fetch-floor-child.js <json>` with `{"ports":[…],"intervalMs":N}`;
 * prints `{}` once running and answers each stdin line with `{"scrapes":…}`.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const { ports, intervalMs } = JSON.parse(process.argv[2] ?? '{}') as { ports: number[]; intervalMs: number };
const readBuffer = Buffer.allocUnsafe(256 * 1024);
let scrapes = 0;

function target(port: number, offsetMs: number): void {
  const request = Buffer.from(`GET /metrics HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\naccept: text/plain\r\n\r\n`, 'latin1');
  let remaining = -1;
  let head = '';
  const socket: Socket = connect({
    port,
    host: '127.0.0.1',
    onread: {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array) => {
        let at = 0;
        if (remaining < 0) {
          head += Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end === -1) return true;
          remaining = Number(/content-length: *(\d+)/i.exec(head.slice(0, end))?.[1] ?? 0);
          at = n - (head.length - end - 4);
          head = '';
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
  setTimeout(() => {
    tick();
    setInterval(tick, intervalMs);
  }, offsetMs);
}

ports.forEach((p, i) => {
  target(p, Math.floor((i * intervalMs) / ports.length));
});
process.stdout.write('{}\n');
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${JSON.stringify({ scrapes })}\n`));
process.stdin.on('end', () => process.exit(0));
