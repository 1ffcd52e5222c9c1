import type { IncomingHttpHeaders } from 'node:http';

/**
 * Caller headers never passed to an app: hop-by-hop and connection headers, and those the fetcher
 * sets itself per backend request (`Accept`, `Accept-Encoding`, the scrape timeout).
 */
const FIXED_DENY = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'accept-encoding',
  'keep-alive',
  'te',
  'trailer',
  'expect',
  'http2-settings',
  'accept',
  'x-prometheus-scrape-timeout-seconds',
  'x-promfetcher-scrapping',
]);

export interface HeaderPolicy {
  /** Extra lower-case names from `header_deny_list`. */
  readonly deny: ReadonlySet<string>;
  /** True when the fetcher's own API auth consumes `Authorization`. */
  readonly consumeAuthorization: boolean;
}

/** Whether a (lower-case) caller header may reach the app. */
export function isForwardable(name: string, policy: HeaderPolicy, connectionTokens: ReadonlySet<string>): boolean {
  if (FIXED_DENY.has(name) || policy.deny.has(name) || connectionTokens.has(name)) return false;
  if (name.startsWith('proxy-') || name.startsWith('x-forwarded-') || name === 'forwarded' || name.startsWith(':')) return false;
  if (name === 'authorization' && policy.consumeAuthorization) return false;
  return true;
}

/**
 * The caller's headers that go to every app instance, as `[name, value]` pairs (multi-valued
 * headers joined with ", "), sorted by name so equal header sets give equal share keys.
 */
export function forwardedHeaders(incoming: IncomingHttpHeaders, policy: HeaderPolicy): [string, string][] {
  const conn = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || !isForwardable(name, policy, conn)) continue;
    out.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}
