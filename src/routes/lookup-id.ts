import { toRouteKey } from './route-key.js';

/** How promfetcher reads the `{id}` of `/v1/apps/{id}/metrics` (or `app=`/`route_url=`). */
export type LookupId =
  | { kind: 'names'; org: string; space: string; app: string }
  | { kind: 'guid'; guid: string }
  | { kind: 'route'; routeKey: string };

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Go `uuid.Parse` rules: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, the same wrapped in `{}` or
 * prefixed `urn:uuid:`, or 32 bare hex digits. Returns the canonical lower-case form, or undefined.
 */
export function parseUuid(s: string): string | undefined {
  let body = s;
  if (s.length === 45) {
    if (s.slice(0, 9).toLowerCase() !== 'urn:uuid:') return undefined;
    body = s.slice(9);
  } else if (s.length === 38) {
    if (s[0] !== '{' || s[37] !== '}') return undefined;
    body = s.slice(1, 37);
  } else if (s.length === 32) {
    if (!HEX.test(s)) return undefined;
    const h = s.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  if (body.length !== 36) return undefined;
  if (body[8] !== '-' || body[13] !== '-' || body[18] !== '-' || body[23] !== '-') return undefined;
  const hex = body.slice(0, 8) + body.slice(9, 13) + body.slice(14, 18) + body.slice(19, 23) + body.slice(24);
  if (!HEX.test(hex)) return undefined;
  return body.toLowerCase();
}

/**
 * Classifies an id with the original's rules (spec gorouter-routes.md §6c): percent-decode; exactly
 * three `/`-separated parts → org/space/app names; else a UUID → app GUID; else a route key (exact,
 * no wildcard). Note the original's gotcha, kept on purpose: `host/a/b` reads as names.
 */
export function parseLookupId(raw: string): LookupId {
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // Go's PathUnescape would fail here; matching the raw text is the useful fallback.
  }
  const parts = id.split('/');
  if (parts.length === 3) return { kind: 'names', org: parts[0] as string, space: parts[1] as string, app: parts[2] as string };
  const guid = parseUuid(id);
  if (guid !== undefined) return { kind: 'guid', guid };
  return { kind: 'route', routeKey: toRouteKey(id) };
}
