import { FetcherRequestError } from './errors.js';

// RFC 3986 pchar plus "/" for the path, and the same plus "?" for the query. No "#", "\", spaces,
// controls or non-ASCII: those are what URL parsers disagree on.
const PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

function refuse(value: string, why: string): never {
  throw new FetcherRequestError(
    'FETCHER_METRIC_PATH',
    400,
    `400 Bad Request: metric_path ${JSON.stringify(value)} ${why}; give a plain absolute path such as /metrics\n`,
  );
}

/**
 * The backend path for a `metric_path` query value, as the original normalises it (trimmed, empty
 * → `/metrics`, a `/` prepended when missing), but refusing anything that is not a plain absolute
 * path (with an optional query): no scheme, no `//authority`, no `..` segment (also encoded),
 * no encoded `/` or `\`, no fragment, no whitespace or control characters. Throws a 400.
 */
export function resolveMetricPath(raw: string | null): string {
  if (raw === null) return '/metrics';
  const v = raw.trim();
  if (v === '') return '/metrics';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(v)) refuse(raw, 'has a URL scheme');
  // "host:port/x" or "user@host/x" would name an authority if anyone joined it without a "/".
  if (!v.startsWith('/') && /^[^/?]*[@:]/.test(v)) refuse(raw, 'looks like an authority (host, port or credentials)');
  let p = v.startsWith('/') ? v : `/${v}`;
  if (p.startsWith('//')) refuse(raw, 'starts with "//" (an authority)');
  const q = p.indexOf('?');
  const query = q === -1 ? '' : p.slice(q + 1);
  p = q === -1 ? p : p.slice(0, q);
  if (!PATH.test(p)) refuse(raw, 'has characters not allowed in a path');
  if (!QUERY.test(query)) refuse(raw, 'has characters not allowed in a query');
  if (/%2f|%5c/i.test(p)) refuse(raw, 'has an encoded "/" or "\\"');
  for (const seg of p.split('/')) {
    let d: string;
    try {
      d = decodeURIComponent(seg);
    } catch {
      refuse(raw, 'has an invalid percent-encoding');
    }
    if (d === '..' || d === '.') refuse(raw, 'has a "." or ".." segment');
    if ([...d].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) refuse(raw, 'has an encoded control character');
  }
  return q === -1 ? p : `${p}?${query}`;
}
