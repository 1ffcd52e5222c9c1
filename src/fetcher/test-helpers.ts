// Test-only helpers for the fetcher's tests: instance servers on 127.0.0.1, route files, promtool.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface InstanceBehaviour {
  body?: string;
  contentType?: string;
  status?: number;
  delayMs?: number;
  gzip?: boolean;
  /** Send the body chunked, in pieces of this many bytes (no Content-Length). */
  chunkBytes?: number;
  /** Require `Authorization: Basic base64(user:pass)`, else 401 with WWW-Authenticate. */
  basicAuth?: { user: string; pass: string };
  /** Require this header/value, else 403. */
  requireHeader?: [string, string];
  /** Serve over TLS with this certificate. */
  tls?: { cert: string; key: string; ca?: string; requestClientCert?: boolean };
}

export interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
  /** The connection's client port (which connection the request came on). */
  remotePort: number;
  clientCertCn?: string;
}

export interface InstanceServer {
  readonly port: number;
  readonly address: string;
  readonly requests: SeenRequest[];
  behaviour: InstanceBehaviour;
  close(): Promise<void>;
}

export async function startInstance(behaviour: InstanceBehaviour): Promise<InstanceServer> {
  const requests: SeenRequest[] = [];
  const state = { behaviour };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const b = state.behaviour;
    const seen: SeenRequest = { url: req.url ?? '', headers: req.headers, remotePort: req.socket.remotePort ?? 0 };
    const sock = req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } };
    const cn = sock.getPeerCertificate?.()?.subject?.CN;
    if (cn !== undefined) seen.clientCertCn = cn;
    requests.push(seen);
    const answer = () => {
      if (b.basicAuth !== undefined) {
        const want = `Basic ${Buffer.from(`${b.basicAuth.user}:${b.basicAuth.pass}`).toString('base64')}`;
        if (req.headers.authorization !== want) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="app"' });
          return res.end('unauthorized');
        }
      }
      if (b.requireHeader !== undefined && req.headers[b.requireHeader[0]] !== b.requireHeader[1]) {
        res.writeHead(403);
        return res.end('forbidden');
      }
      const status = b.status ?? 200;
      const headers: Record<string, string> = { 'content-type': b.contentType ?? 'text/plain; version=0.0.4; charset=utf-8' };
      let body: Buffer = Buffer.from(b.body ?? '');
      if (b.gzip === true && /gzip/.test(String(req.headers['accept-encoding']))) {
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      res.writeHead(status, headers);
      const step = b.chunkBytes ?? 0;
      if (step > 0) for (let at = 0; at < body.length; at += step) res.write(body.subarray(at, at + step));
      res.end(step > 0 ? undefined : body);
    };
    if (b.delayMs !== undefined && b.delayMs > 0) {
      const t = setTimeout(answer, b.delayMs);
      res.on('close', () => clearTimeout(t));
    } else answer();
  };
  const server: Server = behaviour.tls
    ? createHttpsServer(
        {
          cert: behaviour.tls.cert,
          key: behaviour.tls.key,
          ...(behaviour.tls.ca ? { ca: behaviour.tls.ca } : {}),
          requestCert: behaviour.tls.requestClientCert === true,
          rejectUnauthorized: false,
        },
        handler,
      )
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    requests,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: InstanceBehaviour) {
      state.behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AppSpec {
  guid: string;
  name: string;
  org?: string;
  space?: string;
  route: string;
  instances: { address: string; index: number; tls?: boolean; san?: string }[];
}

export function appTags(app: AppSpec, index: number): Record<string, string> {
  return {
    app_id: app.guid,
    app_name: app.name,
    organization_id: `org-${app.org ?? 'acme'}`,
    organization_name: app.org ?? 'acme',
    space_id: `space-${app.space ?? 'prod'}`,
    space_name: app.space ?? 'prod',
    process_type: 'web',
    instance_id: String(index),
    component: 'route-emitter',
    source_id: app.guid,
  };
}

/** Writes a gorouter `/routes`-shaped file for these apps; returns its path. */
export function writeRoutesFile(apps: AppSpec[]): string {
  const doc: Record<string, unknown[]> = {};
  for (const app of apps) {
    doc[app.route] = app.instances.map((i) => ({
      address: i.address,
      tls: i.tls === true,
      ttl: 120,
      tags: appTags(app, i.index),
      private_instance_id: `${app.guid}-inst-${i.index}`,
      private_instance_index: String(i.index),
      ...(i.san ? { server_cert_domain_san: i.san } : {}),
    }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-fetcher-'));
  const path = join(dir, 'routes.json');
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return path;
}

export const PROMTOOL = '/usr/bin/promtool';

/**
 * Runs `promtool check metrics` (Prometheus's own text parser) on `text`. Exit 0 = clean, 3 = lint
 * findings only (e.g. a counter without `_total`): both mean Prometheus parses it. Exit 1 or a
 * "parsing error" line is a real failure. Returns the findings.
 */
export function promtoolCheck(text: string): Promise<{ parses: boolean; code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    c.stdout.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr.on('data', (d: Buffer) => (output += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      const parses = (code === 0 || code === 3) && !/parsing error|error while linting/.test(output);
      resolve({ parses, code: code ?? -1, output });
    });
    c.stdin.end(text);
  });
}
