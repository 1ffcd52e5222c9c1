import { RouteEntryError } from './errors.js';
import { toRouteKey } from './route-key.js';
import type { EndpointInput, RouteTags } from './types.js';

export interface ParsedRoutes {
  entries: { routeKey: string; endpoint: EndpointInput }[];
  /** Entries skipped, each with a reason and a path like `"app.example.com"[2].address`. */
  invalid: RouteEntryError[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field; numbers and booleans are accepted as their text, anything else is "". */
function looseStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function looseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0 || v === undefined || v === null || v === '') return false;
  return undefined;
}

function looseInt(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Splits `host:port`, `[v6]:port` or `v6:port` at the last colon. */
function splitAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : undefined;
}

function toTags(v: unknown): RouteTags {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) out[k] = looseStr(val);
  return out;
}

/** One endpoint object of any known gorouter/promfetcher `/routes` vintage. Throws RouteEntryError. */
export function parseEndpointObject(v: unknown, path: string): EndpointInput {
  if (!isObj(v)) throw new RouteEntryError('not_object', path, `expected an endpoint object, got ${JSON.stringify(v)}`);
  let hostPort: { host: string; port: number } | undefined;
  if (v.address !== undefined) {
    if (typeof v.address !== 'string') {
      throw new RouteEntryError('bad_address', `${path}.address`, `expected "host:port", got ${JSON.stringify(v.address)}`);
    }
    hostPort = splitAddress(v.address);
    if (hostPort === undefined) throw new RouteEntryError('bad_address', `${path}.address`, `expected "host:port", got "${v.address}"`);
  } else {
    // Oldest shapes (and hand-written files) give host and port apart.
    const port = looseInt(v.port);
    const host = looseStr(v.host);
    if (host === '' || port === undefined || port === 0 || port > 65535) {
      throw new RouteEntryError('bad_address', path, 'needs "address" ("host:port") or "host" and "port"');
    }
    hostPort = { host, port };
  }
  const tls = looseBool(v.tls);
  if (tls === undefined) throw new RouteEntryError('bad_field', `${path}.tls`, `expected true or false, got ${JSON.stringify(v.tls)}`);
  const ttl = looseInt(v.ttl ?? v.stale_threshold_in_seconds);
  if (ttl === undefined)
    throw new RouteEntryError('bad_field', `${path}.ttl`, `expected seconds as an integer, got ${JSON.stringify(v.ttl)}`);
  const tags = toTags(v.tags);
  const index = looseStr(v.private_instance_index);
  const host = hostPort.host.includes(':') ? `[${hostPort.host}]` : hostPort.host;
  return {
    address: `${host}:${hostPort.port}`,
    host: hostPort.host,
    port: hostPort.port,
    tls,
    serverCertDomainSan: looseStr(v.server_cert_domain_san),
    privateInstanceId: looseStr(v.private_instance_id),
    instanceIndex: index !== '' ? index : (tags.instance_id ?? ''),
    appGuid: looseStr(v.app) || (tags.app_id ?? ''),
    tags,
    staleThresholdSec: ttl,
    availabilityZone: looseStr(v.availability_zone),
    protocol: looseStr(v.protocol),
    routeServiceUrl: looseStr(v.route_service_url),
    isolationSegment: looseStr(v.isolation_segment),
  };
}

/**
 * Reads gorouter's `/routes` document (route key → endpoint list), already decoded from JSON or
 * YAML. Bad entries are collected in `invalid` and skipped; only a non-object document throws.
 */
export function parseRoutesDocument(doc: unknown, where: string): ParsedRoutes {
  if (doc === null || doc === undefined) return { entries: [], invalid: [] };
  if (!isObj(doc)) throw new RouteEntryError('not_object', where, 'expected an object of route key → list of endpoints');
  const out: ParsedRoutes = { entries: [], invalid: [] };
  for (const [uri, list] of Object.entries(doc)) {
    const keyPath = `${where}${where === '' ? '' : ': '}${JSON.stringify(uri)}`;
    const routeKey = toRouteKey(uri);
    if (routeKey === '') {
      out.invalid.push(new RouteEntryError('bad_route_key', keyPath, 'empty route key'));
      continue;
    }
    const items = Array.isArray(list) ? list : isObj(list) ? [list] : undefined;
    if (items === undefined) {
      if (list !== null)
        out.invalid.push(new RouteEntryError('not_list', keyPath, `expected a list of endpoints, got ${JSON.stringify(list)}`));
      continue;
    }
    for (let i = 0; i < items.length; i++) {
      try {
        out.entries.push({ routeKey, endpoint: parseEndpointObject(items[i], `${keyPath}[${i}]`) });
      } catch (err) {
        if (!(err instanceof RouteEntryError)) throw err;
        out.invalid.push(err);
      }
    }
  }
  return out;
}
