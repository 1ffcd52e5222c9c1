/**
 * HTTP/1.1 response framing for our client, as pure functions over bytes: the head (status line
 * and the few headers a scrape or a fetch needs) and the body (Content-Length, chunked, or until
 * the connection closes). No I/O here; `client.ts` feeds it socket reads.
 */

export class HttpProtocolError extends Error {
  readonly code = 'HTTP_PROTOCOL';
}

export interface ResponseHead {
  status: number;
  contentType: string | null;
  contentEncoding: string | null;
  /** -1 when absent (chunked, or read until close). */
  contentLength: number;
  chunked: boolean;
  /** False when the server asked to close, or an HTTP/1.0 response did not ask to keep it. */
  keepAlive: boolean;
  /** `Location` (redirects), null when absent. */
  location: string | null;
  /** `WWW-Authenticate` (a 401's challenge), null when absent. */
  wwwAuthenticate: string | null;
}

const CR = 0x0d;
const LF = 0x0a;

/** Index just past the blank line ending a head in buf[start, end), or -1. Accepts bare LF. */
export function headEnd(buf: Buffer, start: number, end: number): number {
  for (let p = buf.indexOf(LF, start); p !== -1 && p < end; p = buf.indexOf(LF, p + 1)) {
    if (p + 1 < end && buf[p + 1] === LF) return p + 2;
    if (p + 2 < end && buf[p + 1] === CR && buf[p + 2] === LF) return p + 3;
  }
  return -1;
}

/** A comma-separated header value as lower-case tokens (`Transfer-Encoding`, `Connection`). */
function tokens(value: string): string[] {
  return value
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;

/** The end of the line [from, nl) without its trailing `\r`, as `split(/\r?\n/)` cuts it. */
function lineEnd(text: string, from: number, nl: number): number {
  return nl > from && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
}

/**
 * Parses a response head (status line and headers, latin1 text ending in a blank line). Lines
 * are walked with `indexOf`, not split: this runs once per scrape, at up to hundreds a second.
 */
export function parseResponseHead(text: string): ResponseHead {
  let nl = text.indexOf('\n');
  if (nl === -1) nl = text.length;
  const statusLine = text.slice(0, lineEnd(text, 0, nl));
  const m = STATUS_LINE.exec(statusLine);
  if (m === null) throw new HttpProtocolError(`malformed HTTP status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const http10 = m[1] === '0';
  const head: ResponseHead = {
    status: Number(m[2]),
    contentType: null,
    contentEncoding: null,
    contentLength: -1,
    chunked: false,
    keepAlive: !http10,
    location: null,
    wwwAuthenticate: null,
  };
  for (let from = nl + 1; from < text.length; from = nl + 1) {
    nl = text.indexOf('\n', from);
    if (nl === -1) nl = text.length;
    const end = lineEnd(text, from, nl);
    if (end === from) continue;
    const line = text.slice(from, end);
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpProtocolError(`malformed HTTP header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (name) {
      case 'content-type':
        head.contentType ??= value;
        break;
      case 'location':
        head.location ??= value;
        break;
      case 'www-authenticate':
        head.wwwAuthenticate ??= value;
        break;
      case 'content-encoding':
        head.contentEncoding = value.toLowerCase();
        break;
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) throw new HttpProtocolError(`invalid Content-Length ${JSON.stringify(value)}`);
        const n = Number(value);
        if (head.contentLength !== -1 && head.contentLength !== n) throw new HttpProtocolError('conflicting Content-Length headers');
        head.contentLength = n;
        break;
      }
      case 'transfer-encoding': {
        const codings = tokens(value);
        if (codings.length !== 1 || codings[0] !== 'chunked') {
          throw new HttpProtocolError(`unsupported Transfer-Encoding ${JSON.stringify(value)}`);
        }
        head.chunked = true;
        break;
      }
      case 'connection': {
        const opts = tokens(value);
        if (opts.includes('close')) head.keepAlive = false;
        else if (http10 && opts.includes('keep-alive')) head.keepAlive = true;
        break;
      }
    }
  }
  // RFC 9112 §6.3: 204 and 304 responses end with their head, whatever they announce.
  if (head.status === 204 || head.status === 304) {
    head.contentLength = 0;
    head.chunked = false;
    return head;
  }
  // RFC 9112 §6.3: chunked wins over a Content-Length, and the connection cannot be trusted after.
  if (head.chunked && head.contentLength !== -1) {
    head.contentLength = -1;
    head.keepAlive = false;
  }
  if (!head.chunked && head.contentLength === -1) head.keepAlive = false; // read until close
  return head;
}

/** States of the chunked decoder. */
const Chunk = {
  Size: 0,
  Ext: 1,
  SizeLf: 2,
  Data: 3,
  DataCr: 4,
  DataLf: 5,
  Trailer: 6,
  Done: 7,
} as const;
type ChunkState = (typeof Chunk)[keyof typeof Chunk];

export type BodySink = (buf: Buffer, start: number, end: number) => void;

/**
 * Frames one response body. `push` hands the body bytes of a read to `sink` (slices of the
 * read, never copies) and returns how many bytes of the read belonged to this response.
 */
export class BodyFramer {
  private remaining: number;
  private state: ChunkState = Chunk.Size;
  private size = 0;
  private sizeDigits = 0;
  private trailerLineEmpty = true;
  done: boolean;

  constructor(
    private readonly head: ResponseHead,
    private readonly sink: BodySink,
  ) {
    this.remaining = head.contentLength;
    this.done = !head.chunked && head.contentLength === 0;
  }

  /** True when the body ends with the connection (no length, not chunked). */
  get untilClose(): boolean {
    return !this.head.chunked && this.head.contentLength === -1;
  }

  push(buf: Buffer, start: number, end: number): number {
    if (this.done) return 0;
    if (this.head.chunked) return this.pushChunked(buf, start, end);
    if (this.untilClose) {
      if (end > start) this.sink(buf, start, end);
      return end - start;
    }
    const n = Math.min(this.remaining, end - start);
    if (n > 0) this.sink(buf, start, start + n);
    this.remaining -= n;
    if (this.remaining === 0) this.done = true;
    return n;
  }

  private pushChunked(buf: Buffer, start: number, end: number): number {
    let p = start;
    while (p < end) {
      const c = buf[p] as number;
      switch (this.state) {
        case Chunk.Size: {
          const d = hexDigit(c);
          if (d >= 0) {
            if (++this.sizeDigits > 12) throw new HttpProtocolError('chunk size too large');
            this.size = this.size * 16 + d;
            p++;
            break;
          }
          if (this.sizeDigits === 0) throw new HttpProtocolError('malformed chunk size');
          if (c === CR) this.state = Chunk.SizeLf;
          else if (c === LF) this.endSizeLine();
          else if (c === 0x3b || c === 0x20 || c === 0x09) this.state = Chunk.Ext;
          else throw new HttpProtocolError('malformed chunk size');
          p++;
          break;
        }
        case Chunk.Ext:
          if (c === LF) this.endSizeLine();
          else if (c === CR) this.state = Chunk.SizeLf;
          p++;
          break;
        case Chunk.SizeLf:
          if (c !== LF) throw new HttpProtocolError('malformed chunk size line');
          this.endSizeLine();
          p++;
          break;
        case Chunk.Data: {
          const n = Math.min(this.size, end - p);
          this.sink(buf, p, p + n);
          this.size -= n;
          p += n;
          if (this.size === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (c === CR) this.state = Chunk.DataLf;
          else if (c === LF) this.resetSize();
          else throw new HttpProtocolError('missing CRLF after chunk data');
          p++;
          break;
        case Chunk.DataLf:
          if (c !== LF) throw new HttpProtocolError('missing CRLF after chunk data');
          this.resetSize();
          p++;
          break;
        case Chunk.Trailer:
          if (c === LF) {
            if (this.trailerLineEmpty) {
              this.state = Chunk.Done;
              this.done = true;
              return p + 1 - start;
            }
            this.trailerLineEmpty = true;
          } else if (c !== CR) this.trailerLineEmpty = false;
          p++;
          break;
        default:
          return p - start;
      }
    }
    return p - start;
  }

  private endSizeLine(): void {
    if (this.size === 0) {
      this.state = Chunk.Trailer;
      this.trailerLineEmpty = true;
    } else this.state = Chunk.Data;
  }

  private resetSize(): void {
    this.state = Chunk.Size;
    this.size = 0;
    this.sizeDigits = 0;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}
