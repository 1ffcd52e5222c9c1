import { RouteEntryError } from './errors.js';
import type { EndpointInput, RouteTags } from './types.js';

/** `router.register` / `router.unregister` payload (snake_case, as route-emitter sends it). */
export interface RegistryMessage {
  host: string;
  port: number;
  tlsPort: number;
  uris: string[];
  app: string;
  privateInstanceId: string;
  privateInstanceIndex: string;
  serverCertDomainSan: string;
  staleThresholdInSeconds: number;
  routeServiceUrl: string;
  isolationSegment: string;
  protocol: string;
  availabilityZone: string;
  tags: RouteTags;
}

type Obj = Record<string, unknown>;

function str(o: Obj, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new RouteEntryError('bad_field', key, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function int(o: Obj, key: string, max: number): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new RouteEntryError('bad_field', key, `expected an integer in 0..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Tags as gorouter's `map[string]string`: absent or null is empty, non-string values are an error. */
export function readTags(v: unknown, path: string): RouteTags {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new RouteEntryError('bad_tags', path, 'expected an object of strings');
  // Checked in place and kept as parsed: no copy per message on the hot path.
  const o = v as Obj;
  for (const k in o) {
    const val = o[k];
    if (typeof val !== 'string') throw new RouteEntryError('bad_tags', `${path}.${k}`, `expected a string, got ${JSON.stringify(val)}`);
  }
  return o as RouteTags;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes and validates one NATS registry message with gorouter's rules: JSON object, typed fields,
 * `route_service_url` (if any) must start with `https`. Throws RouteEntryError with a `reason`.
 */
export function parseRegistryMessage(data: Uint8Array | string): RegistryMessage {
  const text = typeof data === 'string' ? data : decoder.decode(data);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new RouteEntryError('bad_json', '', `not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RouteEntryError('not_object', '', 'expected a JSON object');
  const o = v as Obj;
  const urisRaw = o.uris;
  if (urisRaw !== undefined && urisRaw !== null && !Array.isArray(urisRaw)) {
    throw new RouteEntryError('bad_field', 'uris', 'expected an array of strings');
  }
  const uris: string[] = [];
  for (const [i, u] of ((urisRaw as unknown[] | undefined) ?? []).entries()) {
    if (typeof u !== 'string') throw new RouteEntryError('bad_field', `uris[${i}]`, `expected a string, got ${JSON.stringify(u)}`);
    uris.push(u);
  }
  const msg: RegistryMessage = {
    host: str(o, 'host'),
    port: int(o, 'port', 65535),
    tlsPort: int(o, 'tls_port', 65535),
    uris,
    app: str(o, 'app'),
    privateInstanceId: str(o, 'private_instance_id'),
    privateInstanceIndex: str(o, 'private_instance_index'),
    serverCertDomainSan: str(o, 'server_cert_domain_san'),
    staleThresholdInSeconds: int(o, 'stale_threshold_in_seconds', Number.MAX_SAFE_INTEGER),
    routeServiceUrl: str(o, 'route_service_url'),
    isolationSegment: str(o, 'isolation_segment'),
    protocol: str(o, 'protocol'),
    availabilityZone: str(o, 'availability_zone'),
    tags: readTags(o.tags, 'tags'),
  };
  if (msg.routeServiceUrl !== '' && !msg.routeServiceUrl.startsWith('https')) {
    throw new RouteEntryError('route_service_url_not_https', 'route_service_url', `must start with https, got "${msg.routeServiceUrl}"`);
  }
  return msg;
}

/** Checks what a registration needs to be routable; throws RouteEntryError with a `reason`. */
export function checkRoutable(msg: RegistryMessage): void {
  if (msg.host === '') throw new RouteEntryError('missing_host', 'host', 'is empty');
  if (msg.port === 0 && msg.tlsPort === 0) throw new RouteEntryError('missing_port', 'port', 'port and tls_port are both 0');
  if (msg.uris.length === 0) throw new RouteEntryError('missing_uris', 'uris', 'no URI');
}

/** The endpoint a registry message describes: the TLS port wins over the plain one (gorouter). */
export function toEndpointInput(msg: RegistryMessage): EndpointInput {
  const tls = msg.tlsPort !== 0;
  const port = tls ? msg.tlsPort : msg.port;
  return {
    address: `${msg.host}:${port}`,
    host: msg.host,
    port,
    tls,
    serverCertDomainSan: msg.serverCertDomainSan,
    privateInstanceId: msg.privateInstanceId,
    instanceIndex: msg.privateInstanceIndex !== '' ? msg.privateInstanceIndex : (msg.tags.instance_id ?? ''),
    appGuid: msg.app !== '' ? msg.app : (msg.tags.app_id ?? ''),
    tags: msg.tags,
    staleThresholdSec: msg.staleThresholdInSeconds,
    availabilityZone: msg.availabilityZone,
    protocol: msg.protocol,
    routeServiceUrl: msg.routeServiceUrl,
    isolationSegment: msg.isolationSegment,
  };
}
