/**
 * Tags a route registration carries. route-emitter copies the app's metric tags (set by Cloud
 * Controller); these are the keys promfetcher reads. Any other key is kept as-is.
 */
export interface RouteTags {
  readonly organization_id?: string;
  readonly organization_name?: string;
  readonly space_id?: string;
  readonly space_name?: string;
  readonly app_id?: string;
  readonly app_name?: string;
  readonly process_id?: string;
  readonly process_type?: string;
  readonly process_instance_id?: string;
  /** Instance index as a string (dynamic tag). */
  readonly instance_id?: string;
  readonly source_id?: string;
  readonly component?: string;
  readonly [key: string]: string | undefined;
}

/**
 * One registration of an app instance (endpoint) as the route table holds it. Objects returned by
 * lookups are read-only views; `lastRegisteredMs` of a stored endpoint moves on every refresh.
 */
export interface AppInstance {
  /** `host:port`; the TLS port when the registration had a `tls_port`. */
  readonly address: string;
  /** Backend host (IP) from the registration, without port. */
  readonly host: string;
  readonly port: number;
  /** True when registered through `tls_port` (Envoy sidecar): scrape over https. */
  readonly tls: boolean;
  /** Name to verify on the backend certificate (route-emitter sets the instance GUID). "" if none. */
  readonly serverCertDomainSan: string;
  /** Instance GUID. "" if none. */
  readonly privateInstanceId: string;
  /** Instance index as a string: `private_instance_index`, else `tags.instance_id`, else "". */
  readonly instanceIndex: string;
  /** App GUID: the registration's `app`, else `tags.app_id`, else "". */
  readonly appGuid: string;
  readonly tags: RouteTags;
  /** Route keys this instance is registered under (lower-case, no query, no trailing `/`). */
  readonly routes: readonly string[];
  /** Effective stale threshold in seconds (0 means never pruned: file and gorouter sources). */
  readonly staleThresholdSec: number;
  /** When this registration was last received (ms since epoch, from the table's clock). */
  readonly lastRegisteredMs: number;
  readonly availabilityZone: string;
  /** `http1` or `http2`; "" when not given. */
  readonly protocol: string;
  readonly routeServiceUrl: string;
  readonly isolationSegment: string;
}

/** What a source hands to the table: one endpoint under one route key. */
export interface EndpointInput {
  address: string;
  host: string;
  port: number;
  tls: boolean;
  serverCertDomainSan: string;
  privateInstanceId: string;
  instanceIndex: string;
  appGuid: string;
  tags: RouteTags;
  /** Stale threshold from the message/file in seconds; 0 = use the table's default. */
  staleThresholdSec: number;
  availabilityZone: string;
  protocol: string;
  routeServiceUrl: string;
  isolationSegment: string;
}

/** Minimal pino-compatible logger; injected, never global. */
export type { Logger } from '../logger.js';
export { silentLogger } from '../logger.js';

/**
 * A producer of the route table. Lifecycle: `start()` once, `stop()` once. `ready` resolves (never
 * rejects) when the first table is in; `failed` resolves (never rejects) if the source dies for good
 * after start (e.g. the NATS connection closed), and never settles otherwise.
 */
export interface RouteSource {
  readonly kind: 'nats' | 'gorouter' | 'file';
  /** Connects/loads. Rejects with a RoutesError when the source cannot start at all. */
  start(): Promise<void>;
  /** Stops timers, watchers and connections. The table keeps its content. */
  stop(): Promise<void>;
  readonly ready: Promise<void>;
  isReady(): boolean;
  readonly failed: Promise<Error>;
}
