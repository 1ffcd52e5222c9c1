import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CfPromError } from '../errors.js';
import type { ServerSettings } from './settings.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A server could not start: unreadable TLS files, a port in use. */
export class ServerStartError extends CfPromError {
  constructor(
    readonly server: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('SERVER_START', `${server} server: ${message}`, options);
  }
}

export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** `http(s)://host:port`. */
  readonly url: string;
  readonly mtls: boolean;
  /** Stops accepting, lets requests in flight finish until the deadline, then drops connections. */
  close(deadline: number): Promise<void>;
}

function read(server: string, what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ServerStartError(server, `cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Listens on `settings.host:port`: HTTPS requiring a client certificate signed by the given CA
 * when `settings.tls` is set (TLS 1.2+), plain HTTP otherwise. A handler that throws answers 500.
 */
export async function listen(name: string, settings: Pick<ServerSettings, 'host' | 'port' | 'tls'>, handler: Handler): Promise<Listening> {
  const safe = (req: IncomingMessage, res: ServerResponse) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${(err as Error).message}` });
        else res.destroy();
      });
  };
  let server: Server;
  if (settings.tls !== null) {
    const { caFile, certFile, keyFile } = settings.tls;
    const ca = read(name, 'CA file', caFile);
    const cert = read(name, 'certificate file', certFile);
    const key = read(name, 'key file', keyFile);
    try {
      server = createHttpsServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, safe);
    } catch (err) {
      throw new ServerStartError(name, `cannot use ${certFile} and ${keyFile}: ${(err as Error).message}`, { cause: err });
    }
  } else server = createHttpServer(safe);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new ServerStartError(name, `cannot listen on ${settings.host}:${settings.port}: ${err.code ?? err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(settings.port, settings.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    server,
    port,
    url: `${settings.tls !== null ? 'https' : 'http'}://${host}:${port}`,
    mtls: settings.tls !== null,
    close: (deadline) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request body, or null when it is longer than `limitBytes` (the rest is not read). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
