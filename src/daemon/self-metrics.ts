import { writeText } from '../exposition/index.js';
import type { LoggregatorMetrics } from '../loggregator/index.js';
import { Registry, registerProcessMetrics } from '../metrics/index.js';
import { type ScrapeService, scrapeMetricsToFamilies } from '../scrape/index.js';

export interface SelfMetricsSources {
  service: ScrapeService;
  /** The Loggregator sink's counters; null with the stdout sink. */
  loggregator: LoggregatorMetrics | null;
  /** Writes the stdout sink dropped because stdout was not keeping up; null with Loggregator. */
  stdoutDropped: (() => number) | null;
  apiTargets: () => number;
  expiredCaches: () => number;
  debugMetrics: boolean;
}

/**
 * Everything `GET /metrics` serves: the scrape engine's families (the released names), the
 * Loggregator sink's counters, the daemon's own, and with `DEBUG_METRICS` the process metrics.
 */
export function createSelfMetrics(src: SelfMetricsSources): { registry: Registry; render(): string; stop(): void } {
  const registry = new Registry();
  const handlerErrors = { gathering: 0, encoding: 0 };
  registry.register({
    name: 'scrape_engine',
    render(out) {
      src.service.manager.updateTotals();
      out.push(writeText(scrapeMetricsToFamilies(src.service.manager.metrics)));
    },
  });
  registry.counter({
    name: 'promhttp_metric_handler_errors_total',
    help: 'Total number of internal errors encountered by the promhttp metric handler.',
    labelNames: ['cause'],
    collect: (set) => {
      set(handlerErrors.encoding, 'encoding');
      set(handlerErrors.gathering, 'gathering');
    },
  });
  registry.counter({
    name: 'config_reloads_total',
    help: 'Configuration reloads (SIGHUP, changed files), by result.',
    labelNames: ['result'],
    collect: (set) => {
      set(src.service.reloads.ok, 'success');
      set(src.service.reloads.failed, 'failure');
    },
  });
  registry.gauge({
    name: 'api_scrape_targets',
    help: 'Scrape targets entries added through the API.',
    collect: (g) => g.set(src.apiTargets()),
  });
  registry.counter({
    name: 'series_cache_expirations_total',
    help: 'Target series caches cleared because the target had not been scraped successfully for METRICS_EXPIRATION_INTERVAL.',
    collect: (set) => set(src.expiredCaches()),
  });
  const drop = src.stdoutDropped;
  if (drop !== null)
    registry.counter({
      name: 'stdout_dropped_writes_total',
      help: 'Scrape outputs not written because stdout was not keeping up.',
      collect: (set) => set(drop()),
    });
  const lg = src.loggregator;
  if (lg !== null) {
    registry.counter({
      name: 'loggregator_envelopes_sent_total',
      help: 'Envelopes handed to the agent connection.',
      collect: (set) => set(lg.envelopesSent),
    });
    registry.counter({
      name: 'loggregator_envelopes_dropped_total',
      help: 'Envelopes not sent, by reason.',
      labelNames: ['reason'],
      collect: (set) => {
        for (const [reason, n] of Object.entries(lg.envelopesDropped)) set(n, reason);
      },
    });
    registry.counter({
      name: 'loggregator_counter_values_altered_total',
      help: 'Counter samples sent altered, by how.',
      labelNames: ['how'],
      collect: (set) => {
        set(lg.counterValuesTruncated, 'truncated');
        set(lg.counterValuesClamped, 'clamped');
        set(lg.counterValuesAsGauges, 'as_gauge');
      },
    });
    registry.counter({
      name: 'loggregator_send_errors_total',
      help: 'Failed batch writes and streams ended with an error.',
      collect: (set) => set(lg.sendErrors),
    });
    registry.counter({
      name: 'loggregator_connect_errors_total',
      help: 'Connection attempts to the agent that failed.',
      collect: (set) => set(lg.connectErrors),
    });
    registry.counter({
      name: 'loggregator_reconnects_total',
      help: 'Streams to the agent opened after the first one.',
      collect: (set) => set(lg.reconnects),
    });
    registry.gauge({ name: 'loggregator_queue_length', help: 'Envelopes waiting to be sent.', collect: (g) => g.set(lg.queueLength) });
    registry.gauge({
      name: 'loggregator_queue_capacity',
      help: 'Envelopes the queue holds before dropping the oldest.',
      collect: (g) => g.set(lg.queueCapacity),
    });
    registry.register({
      name: 'loggregator_batch_size',
      render(out) {
        const h = lg.batchSize;
        let s = '# HELP loggregator_batch_size Envelopes per batch written.\n# TYPE loggregator_batch_size histogram\n';
        h.bounds.forEach((b, i) => {
          s += `loggregator_batch_size_bucket{le="${b}"} ${h.buckets[i] ?? 0}\n`;
        });
        s += `loggregator_batch_size_bucket{le="+Inf"} ${h.buckets[h.bounds.length] ?? 0}\nloggregator_batch_size_sum ${h.sum}\nloggregator_batch_size_count ${h.count}\n`;
        out.push(s);
      },
    });
  }
  const proc = src.debugMetrics ? registerProcessMetrics(registry) : null;
  return {
    registry,
    render() {
      try {
        return registry.render();
      } catch (err) {
        handlerErrors.gathering++;
        throw err;
      }
    },
    stop: () => proc?.stop(),
  };
}
