/**
 * Self-metrics of the routes folder: one plain object, shared by the table and its source, read by
 * whoever exposes them (the lead's Prometheus exposition). Counters only go up; gauges are set.
 */
export interface RoutesMetrics {
  /** gauge: route keys in the table. */
  routesKnown: number;
  /** gauge: distinct instance addresses in the table. */
  instancesKnown: number;
  /** gauge: ms since epoch of the last change or refresh of the table (0 = never). */
  lastUpdateMs: number;
  /** counter: messages (NATS) or entries (file, gorouter) received. */
  messagesReceived: number;
  /** counter per reason: messages or entries rejected as malformed. */
  messagesInvalid: Record<string, number>;
  /** counter per reason: valid messages deliberately not applied (e.g. `no_app_id`). */
  messagesIgnored: Record<string, number>;
  /** counter: endpoint registrations applied (new or refreshed). */
  registrations: number;
  /** counter: endpoints removed by an unregister message. */
  unregistrations: number;
  /** counter: endpoints removed because they were not refreshed within their stale threshold. */
  pruned: number;
  /** gauge: 1 while connected to NATS. */
  natsConnected: number;
  /** counter: NATS reconnections. */
  reconnects: number;
  /** counter: `router.start` messages published (start, reconnects). */
  routerStartsSent: number;
  /** counter: `router.greet` requests answered. */
  greetsAnswered: number;
  /** counter: successful and failed gorouter `/routes` polls, and file (re)loads. */
  pollsOk: number;
  pollsFailed: number;
  fileLoadsOk: number;
  fileLoadsFailed: number;
  /** gauge: ms since epoch of the last successful poll or file load (0 = never). */
  lastLoadMs: number;
  /** gauge: 1 once the source is ready. */
  ready: number;
}

export function createRoutesMetrics(): RoutesMetrics {
  return {
    routesKnown: 0,
    instancesKnown: 0,
    lastUpdateMs: 0,
    messagesReceived: 0,
    messagesInvalid: {},
    messagesIgnored: {},
    registrations: 0,
    unregistrations: 0,
    pruned: 0,
    natsConnected: 0,
    reconnects: 0,
    routerStartsSent: 0,
    greetsAnswered: 0,
    pollsOk: 0,
    pollsFailed: 0,
    fileLoadsOk: 0,
    fileLoadsFailed: 0,
    lastLoadMs: 0,
    ready: 0,
  };
}

export function countReason(counters: Record<string, number>, reason: string): void {
  counters[reason] = (counters[reason] ?? 0) + 1;
}
