import type { Logger } from './types.js';

/**
 * Logs the first occurrence of each distinct problem (by key) and stays quiet after that, so a
 * route emitter re-sending the same bad message every 20 s does not flood the log. Counting is the
 * caller's job (metrics). The set of keys is bounded.
 */
export class LogOnce {
  private readonly seen = new Set<string>();
  constructor(
    private readonly logger: Logger,
    private readonly maxKeys = 1000,
  ) {}

  warn(key: string, obj: object, msg: string): void {
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.maxKeys) return;
    this.seen.add(key);
    this.logger.warn(obj, msg);
  }
}
