import { parseLookupId } from './lookup-id.js';
import { createRoutesMetrics, type RoutesMetrics } from './metrics.js';
import { toRouteKey } from './route-key.js';
import type { AppInstance, EndpointInput, RouteTags } from './types.js';

export interface RouteTableOptions {
  /** gorouter's `droplet_stale_threshold`: TTL when a registration gives none or a bigger one. Default 120. */
  defaultStaleThresholdSec?: number;
  /**
   * gorouter never prunes TLS (`tls_port`) endpoints, relying on its per-request failover. promfetcher
   * has none: a dead TLS instance would yield a scrape error forever, and route-emitter refreshes
   * TLS routes like any other, so they are pruned by default. `false` restores gorouter's rule.
   */
  pruneTlsEndpoints?: boolean;
  metrics?: RoutesMetrics;
}

/** Per-registration options. */
export interface RegisterOptions {
  /** Never prune (file and gorouter sources replace the whole table instead). */
  pinned?: boolean;
}

/** One endpoint object of gorouter's `/routes` JSON, plus promfetcher's `host`. */
export interface SnapshotEndpoint {
  address: string;
  availability_zone: string;
  protocol: string;
  tls: boolean;
  ttl: number;
  tags: RouteTags;
  route_service_url?: string;
  isolation_segment?: string;
  private_instance_id?: string;
  private_instance_index?: string;
  server_cert_domain_san?: string;
  host: string;
}

export type RegisterResult = 'added' | 'updated' | 'refreshed' | 'ignored';

/** An endpoint as the table keeps it: the input (stale threshold resolved) plus bookkeeping. */
interface Stored extends EndpointInput {
  routeKey: string;
  pinned: boolean;
  lastRegisteredMs: number;
  /** Index keys, set only for `web` processes (the only ones name/GUID lookups return). */
  nameKey: string | undefined;
  guidKey: string | undefined;
}

const SEP = '\u0000';

function sameTags(a: RouteTags, b: RouteTags): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function sameData(s: Stored, e: EndpointInput, ttl: number): boolean {
  return (
    s.host === e.host &&
    s.port === e.port &&
    s.tls === e.tls &&
    s.serverCertDomainSan === e.serverCertDomainSan &&
    s.privateInstanceId === e.privateInstanceId &&
    s.instanceIndex === e.instanceIndex &&
    s.appGuid === e.appGuid &&
    s.staleThresholdSec === ttl &&
    s.availabilityZone === e.availabilityZone &&
    s.protocol === e.protocol &&
    s.routeServiceUrl === e.routeServiceUrl &&
    s.isolationSegment === e.isolationSegment &&
    sameTags(s.tags, e.tags)
  );
}

function indexKeys(tags: RouteTags): { nameKey: string | undefined; guidKey: string | undefined } {
  if (tags.process_type !== 'web') return { nameKey: undefined, guidKey: undefined };
  const guid = tags.app_id;
  return {
    nameKey: `${tags.organization_name ?? ''}${SEP}${tags.space_name ?? ''}${SEP}${tags.app_name ?? ''}`,
    guidKey: guid === undefined || guid === '' ? undefined : guid.toLowerCase(),
  };
}

function addTo(index: Map<string, Set<Stored>>, key: string | undefined, s: Stored): void {
  if (key === undefined) return;
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([s]));
  else set.add(s);
}

function removeFrom(index: Map<string, Set<Stored>>, key: string | undefined, s: Stored): void {
  if (key === undefined) return;
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(s);
  if (set.size === 0) index.delete(key);
}

function toInstance(s: Stored, routes: readonly string[]): AppInstance {
  return {
    address: s.address,
    host: s.host,
    port: s.port,
    tls: s.tls,
    serverCertDomainSan: s.serverCertDomainSan,
    privateInstanceId: s.privateInstanceId,
    instanceIndex: s.instanceIndex,
    appGuid: s.appGuid,
    tags: s.tags,
    routes,
    staleThresholdSec: s.staleThresholdSec,
    lastRegisteredMs: s.lastRegisteredMs,
    availabilityZone: s.availabilityZone,
    protocol: s.protocol,
    routeServiceUrl: s.routeServiceUrl,
    isolationSegment: s.isolationSegment,
  };
}

function byIndexThenAddress(a: AppInstance, b: AppInstance): number {
  const ia = a.instanceIndex === '' ? Number.POSITIVE_INFINITY : Number(a.instanceIndex);
  const ib = b.instanceIndex === '' ? Number.POSITIVE_INFINITY : Number(b.instanceIndex);
  if (ia !== ib && !(Number.isNaN(ia) || Number.isNaN(ib))) return ia < ib ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/**
 * The route table: route key → endpoints keyed by address (as gorouter's pools), plus indexes by
 * org/space/app names and by app GUID over `web` endpoints, so no lookup scans the table. Pure: no
 * I/O, no timers; the caller passes the clock (`nowMs`) to every mutation.
 */
export class RouteTable {
  readonly metrics: RoutesMetrics;
  readonly defaultStaleThresholdSec: number;
  readonly pruneTlsEndpoints: boolean;
  private readonly pools = new Map<string, Map<string, Stored>>();
  private readonly byName = new Map<string, Set<Stored>>();
  private readonly byGuid = new Map<string, Set<Stored>>();
  /** address → number of route keys it is registered under (for `instancesKnown`). */
  private readonly addressRefs = new Map<string, number>();

  constructor(opts: RouteTableOptions = {}) {
    this.metrics = opts.metrics ?? createRoutesMetrics();
    this.defaultStaleThresholdSec = opts.defaultStaleThresholdSec ?? 120;
    this.pruneTlsEndpoints = opts.pruneTlsEndpoints ?? true;
  }

  /** gorouter's rule: 0 or above the default means the default. */
  effectiveStaleThresholdSec(requested: number): number {
    const d = this.defaultStaleThresholdSec;
    return requested <= 0 || requested > d ? d : requested;
  }

  /**
   * Adds or refreshes `endpoint` under the route key of `uri`. The same address under the same key
   * is one endpoint: unchanged data only moves `lastRegisteredMs`; changed data replaces it.
   */
  register(uri: string, endpoint: EndpointInput, nowMs: number, opts: RegisterOptions = {}): RegisterResult {
    const routeKey = toRouteKey(uri);
    if (routeKey === '' || endpoint.address === '') return 'ignored';
    const ttl = this.effectiveStaleThresholdSec(endpoint.staleThresholdSec);
    const pinned = opts.pinned === true;
    let pool = this.pools.get(routeKey);
    if (pool === undefined) {
      pool = new Map();
      this.pools.set(routeKey, pool);
    }
    const old = pool.get(endpoint.address);
    this.metrics.registrations++;
    this.metrics.lastUpdateMs = nowMs;
    if (old !== undefined && sameData(old, endpoint, ttl)) {
      old.lastRegisteredMs = nowMs;
      old.pinned = pinned;
      return 'refreshed';
    }
    const keys = indexKeys(endpoint.tags);
    const s: Stored = {
      address: endpoint.address,
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls,
      serverCertDomainSan: endpoint.serverCertDomainSan,
      privateInstanceId: endpoint.privateInstanceId,
      instanceIndex: endpoint.instanceIndex,
      appGuid: endpoint.appGuid,
      tags: endpoint.tags,
      routeKey,
      staleThresholdSec: ttl,
      pinned,
      lastRegisteredMs: nowMs,
      availabilityZone: endpoint.availabilityZone,
      protocol: endpoint.protocol,
      routeServiceUrl: endpoint.routeServiceUrl,
      isolationSegment: endpoint.isolationSegment,
      nameKey: keys.nameKey,
      guidKey: keys.guidKey,
    };
    if (old !== undefined) this.unindex(old);
    else this.addressRefs.set(s.address, (this.addressRefs.get(s.address) ?? 0) + 1);
    pool.set(s.address, s);
    addTo(this.byName, s.nameKey, s);
    addTo(this.byGuid, s.guidKey, s);
    this.updateGauges();
    return old === undefined ? 'added' : 'updated';
  }

  /**
   * Removes the endpoint at `address` under the route key of `uri`. A late unregister of a former
   * instance (both instance ids known and different) does not remove its successor at that address.
   */
  unregister(uri: string, endpoint: { address: string; privateInstanceId?: string }, nowMs: number): boolean {
    const routeKey = toRouteKey(uri);
    const pool = this.pools.get(routeKey);
    const s = pool?.get(endpoint.address);
    if (pool === undefined || s === undefined) return false;
    const pid = endpoint.privateInstanceId ?? '';
    if (pid !== '' && s.privateInstanceId !== '' && pid !== s.privateInstanceId) return false;
    this.remove(pool, s);
    this.metrics.unregistrations++;
    this.metrics.lastUpdateMs = nowMs;
    this.updateGauges();
    return true;
  }

  /**
   * Removes endpoints not refreshed within their stale threshold (`lastRegisteredMs < now - ttl`).
   * Pinned endpoints are kept, and TLS ones unless `pruneTlsEndpoints`. Returns how many went.
   */
  prune(nowMs: number): number {
    let n = 0;
    for (const pool of this.pools.values()) {
      for (const s of pool.values()) {
        if (s.pinned || (s.tls && !this.pruneTlsEndpoints)) continue;
        if (s.lastRegisteredMs < nowMs - s.staleThresholdSec * 1000) {
          this.remove(pool, s);
          n++;
        }
      }
    }
    if (n > 0) {
      this.metrics.pruned += n;
      this.metrics.lastUpdateMs = nowMs;
      this.updateGauges();
    }
    return n;
  }

  /** Marks every endpoint fresh (after a NATS outage, so the gap does not prune everything). */
  touchAll(nowMs: number): void {
    for (const pool of this.pools.values()) for (const s of pool.values()) s.lastRegisteredMs = nowMs;
  }

  /** Empties the table. */
  clear(nowMs: number): void {
    this.pools.clear();
    this.byName.clear();
    this.byGuid.clear();
    this.addressRefs.clear();
    this.metrics.lastUpdateMs = nowMs;
    this.updateGauges();
  }

  /**
   * Replaces the whole content with `entries` (file and gorouter sources), pinned. Synchronous, so
   * a lookup never sees a half-built table.
   */
  replaceAll(entries: Iterable<{ routeKey: string; endpoint: EndpointInput }>, nowMs: number): void {
    this.clear(nowMs);
    for (const e of entries) this.register(e.routeKey, e.endpoint, nowMs, { pinned: true });
  }

  /** `web` instances of the app with these org/space/app names, one per address. */
  lookupByName(org: string, space: string, app: string): AppInstance[] {
    return this.collect(this.byName.get(`${org}${SEP}${space}${SEP}${app}`));
  }

  /** `web` instances of the app with this GUID, one per address. */
  lookupByAppGuid(guid: string): AppInstance[] {
    return this.collect(this.byGuid.get(guid.toLowerCase()));
  }

  /** Every endpoint under the route key of `url` (host with optional path), any process type. */
  lookupByRoute(url: string): AppInstance[] {
    const pool = this.pools.get(toRouteKey(url));
    if (pool === undefined) return [];
    const out: AppInstance[] = [];
    for (const s of pool.values()) out.push(toInstance(s, [s.routeKey]));
    return out.sort(byIndexThenAddress);
  }

  /** promfetcher's `{id}` rules: `org/space/app`, else an app GUID, else a route (spec §6c). */
  lookup(id: string): AppInstance[] {
    const q = parseLookupId(id);
    switch (q.kind) {
      case 'names':
        return this.lookupByName(q.org, q.space, q.app);
      case 'guid':
        return this.lookupByAppGuid(q.guid);
      case 'route':
        return this.lookupByRoute(q.routeKey);
    }
  }

  /** gorouter `/routes`-shaped copy of the table, route keys sorted. */
  snapshot(): Record<string, SnapshotEndpoint[]> {
    const out: Record<string, SnapshotEndpoint[]> = {};
    for (const key of [...this.pools.keys()].sort()) {
      const list: SnapshotEndpoint[] = [];
      for (const s of (this.pools.get(key) as Map<string, Stored>).values()) {
        const e: SnapshotEndpoint = {
          address: s.address,
          availability_zone: s.availabilityZone,
          protocol: s.protocol === '' ? 'http1' : s.protocol,
          tls: s.tls,
          ttl: s.staleThresholdSec,
          tags: s.tags,
          host: s.host,
        };
        if (s.routeServiceUrl !== '') e.route_service_url = s.routeServiceUrl;
        if (s.isolationSegment !== '') e.isolation_segment = s.isolationSegment;
        if (s.privateInstanceId !== '') e.private_instance_id = s.privateInstanceId;
        if (s.instanceIndex !== '') e.private_instance_index = s.instanceIndex;
        if (s.serverCertDomainSan !== '') e.server_cert_domain_san = s.serverCertDomainSan;
        list.push(e);
      }
      out[key] = list;
    }
    return out;
  }

  /** Route keys, endpoints (address × route) and distinct addresses. */
  size(): { routes: number; endpoints: number; instances: number } {
    let endpoints = 0;
    for (const pool of this.pools.values()) endpoints += pool.size;
    return { routes: this.pools.size, endpoints, instances: this.addressRefs.size };
  }

  private collect(set: Set<Stored> | undefined): AppInstance[] {
    if (set === undefined) return [];
    const first = new Map<string, { s: Stored; routes: string[] }>();
    for (const s of set) {
      const seen = first.get(s.address);
      if (seen === undefined) first.set(s.address, { s, routes: [s.routeKey] });
      else seen.routes.push(s.routeKey);
    }
    const out: AppInstance[] = [];
    for (const { s, routes } of first.values()) out.push(toInstance(s, routes.sort()));
    return out.sort(byIndexThenAddress);
  }

  private unindex(s: Stored): void {
    removeFrom(this.byName, s.nameKey, s);
    removeFrom(this.byGuid, s.guidKey, s);
  }

  private remove(pool: Map<string, Stored>, s: Stored): void {
    pool.delete(s.address);
    if (pool.size === 0) this.pools.delete(s.routeKey);
    this.unindex(s);
    const refs = (this.addressRefs.get(s.address) ?? 1) - 1;
    if (refs <= 0) this.addressRefs.delete(s.address);
    else this.addressRefs.set(s.address, refs);
  }

  private updateGauges(): void {
    this.metrics.routesKnown = this.pools.size;
    this.metrics.instancesKnown = this.addressRefs.size;
  }
}
