/**
 * Child process of the Loggregator benchmarks, so that neither the agent nor the scraped target
 * is counted in the scraper's CPU: an mTLS `Ingress` agent on 127.0.0.1 and an HTTP target
 * serving `benchExposition` (values changing every scrape). Prints `{"agent":P,"target":P}`,
 * then answers every stdin line with the number of envelopes received so far.
 *
 * Agents (argv[2] mode):
 * - `grpc-js`: the tests' fake agent (grpc-js server). Node's HTTP/2 server keeps the 64 KiB
 *   default flow-control windows, so the sender stalls for a WINDOW_UPDATE every 32 KiB.
 * - `wide`: a bare `node:http2` server with 16 MiB windows, standing in for the released Go
 *   agent, whose grpc-go server grows its windows by BDP estimation up to 16 MiB. It only
 *   counts the envelopes of each length-prefixed gRPC message and answers with status 0. Like
 *   grpc-go, it prefers AES-128-GCM (the grpc-js fake gets OpenSSL's AES-256-GCM).
 */
import { createServer } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { countBatchEntries } from '../src/loggregator/batch-entries.js';
import { startFakeAgent } from '../src/loggregator/testing/fake-agent.js';
import { benchExposition } from './loggregator-corpus.js';

const WIDE_WINDOW = 16 * 1024 * 1024;
const GO_LIKE_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
].join(':');

async function startWideAgent(ca: string, cert: string, key: string, onEnvelopes: (n: number) => void): Promise<number> {
  const server = http2.createSecureServer({
    ca,
    cert,
    key,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // Go's TLS 1.3 server picks AES-128-GCM first on AES-NI hardware; OpenSSL's default is AES-256.
    ciphers: GO_LIKE_CIPHERS,
    honorCipherOrder: true,
    settings: { initialWindowSize: WIDE_WINDOW },
  });
  server.on('session', (session) => session.setLocalWindowSize(WIDE_WINDOW));
  server.on('stream', (stream) => {
    // Chunks of the current message; joined once it is complete.
    let chunks: Buffer[] = [];
    let have = 0;
    let need = 5;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      while (have >= need) {
        const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        const len = buf.readUInt32BE(1);
        if (buf.length < 5 + len) {
          chunks = [buf];
          need = 5 + len;
          break;
        }
        onEnvelopes(countBatchEntries(buf.subarray(5, 5 + len)));
        const rest = buf.subarray(5 + len);
        chunks = rest.length > 0 ? [rest] : [];
        have = rest.length;
        need = 5;
      }
    });
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    stream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const [ca, cert, key] = JSON.parse(process.argv[2] as string) as [string, string, string];
const mode = process.argv[3] ?? 'grpc-js';
let received = 0;
let count: () => number;
let agentPort: number;
if (mode === 'wide') {
  agentPort = await startWideAgent(ca, cert, key, (n) => {
    received += n;
  });
  count = () => received;
} else {
  const agent = await startFakeAgent({ ca, cert, key, decode: false });
  agentPort = agent.port;
  count = () => agent.received;
}

// Rendered up front so serving costs the same whatever the scraper's sink.
const bodies = Array.from({ length: 64 }, (_, k) => Buffer.from(benchExposition(k)));
let served = 0;
const target = createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain; version=0.0.4');
  res.end(bodies[served++ % bodies.length]);
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));

process.stdout.write(`${JSON.stringify({ agent: agentPort, target: (target.address() as AddressInfo).port })}\n`);
process.stdin.on('data', () => process.stdout.write(`${count()}\n`));
process.stdin.on('end', () => process.exit(0));
