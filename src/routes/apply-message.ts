import { RouteEntryError } from './errors.js';
import { countReason } from './metrics.js';
import { checkRoutable, parseRegistryMessage, toEndpointInput } from './registry-message.js';
import type { RouteTable } from './route-table.js';

export type ApplyOutcome =
  | { status: 'applied'; changed: number }
  | { status: 'ignored'; reason: string }
  | { status: 'invalid'; error: RouteEntryError };

/**
 * The NATS hot path, shared with the benchmark: decode one `router.register`/`router.unregister`
 * payload and apply it to the table, counting into `table.metrics`. Never throws for bad input.
 * Like the current promfetcher, a registration without `tags.app_id` (system components) is ignored.
 */
export function applyRegistryMessage(
  table: RouteTable,
  op: 'register' | 'unregister',
  data: Uint8Array | string,
  nowMs: number,
): ApplyOutcome {
  const m = table.metrics;
  m.messagesReceived++;
  try {
    const msg = parseRegistryMessage(data);
    checkRoutable(msg);
    const endpoint = toEndpointInput(msg);
    let changed = 0;
    if (op === 'register') {
      if ((msg.tags.app_id ?? '') === '') {
        countReason(m.messagesIgnored, 'no_app_id');
        return { status: 'ignored', reason: 'no_app_id' };
      }
      for (const uri of msg.uris) if (table.register(uri, endpoint, nowMs) !== 'ignored') changed++;
    } else {
      for (const uri of msg.uris) if (table.unregister(uri, endpoint, nowMs)) changed++;
    }
    return { status: 'applied', changed };
  } catch (err) {
    if (!(err instanceof RouteEntryError)) throw err;
    countReason(m.messagesInvalid, err.reason);
    return { status: 'invalid', error: err };
  }
}
