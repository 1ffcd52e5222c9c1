import pino from 'pino';
import type { Logger } from '../logger.js';

/**
 * The daemon's logs: JSON lines on stderr (stdout carries samples when there is no agent),
 * `time` in epoch milliseconds, or RFC 3339 with `USE_RFC3339=true`. Writes are synchronous so
 * nothing is lost when the process exits.
 */
export function createDaemonLogger(opts: { useRfc3339: boolean; fd?: number }): Logger & { flush(): void } {
  const log = pino(
    {
      name: 'prom-scraper',
      base: { pid: process.pid },
      timestamp: opts.useRfc3339 ? pino.stdTimeFunctions.isoTime : pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: opts.fd ?? 2, sync: true }),
  );
  return {
    info: (obj, msg) => log.info(obj, msg),
    warn: (obj, msg) => log.warn(obj, msg),
    error: (obj, msg) => log.error(obj, msg),
    flush: () => log.flush(),
  };
}
