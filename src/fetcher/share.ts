/**
 * Request coalescing: callers asking for the same key while a run is in flight get that run's
 * promise (one fan-out for N identical scrapes); with `ttlMs > 0` a finished value is served again
 * until it expires. Values are never shared across keys, so the key must contain everything that
 * changes the answer (including the caller's forwarded credentials).
 */
export class SharedRuns<V> {
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly cache = new Map<string, { value: V; expiresMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Told when the cache starts and stops keeping a value (for values holding reusable buffers). */
    private readonly keeping: { hold(v: V): void; drop(v: V): void } | null = null,
  ) {}

  /** `how` tells whether this call started the run, joined one in flight, or was served from the cache. */
  run(key: string, fn: () => Promise<V>): { value: Promise<V>; how: 'started' | 'joined' | 'cached' } {
    if (this.ttlMs > 0) {
      const c = this.cache.get(key);
      if (c !== undefined) {
        if (c.expiresMs > this.now()) return { value: Promise.resolve(c.value), how: 'cached' };
        this.forget(key, c.value);
      }
    }
    const running = this.inflight.get(key);
    if (running !== undefined) return { value: running, how: 'joined' };
    const p = fn().finally(() => {
      this.inflight.delete(key);
    });
    if (this.ttlMs > 0) {
      p.then(
        (value) => {
          this.sweep();
          const old = this.cache.get(key);
          if (old !== undefined) this.forget(key, old.value);
          this.keeping?.hold(value);
          this.cache.set(key, { value, expiresMs: this.now() + this.ttlMs });
        },
        () => {},
      );
    }
    this.inflight.set(key, p);
    return { value: p, how: 'started' };
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Drops expired entries so the cache holds only what was asked within the last TTL. */
  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.cache) if (v.expiresMs <= now) this.forget(k, v.value);
  }

  private forget(key: string, value: V): void {
    this.cache.delete(key);
    this.keeping?.drop(value);
  }

  clear(): void {
    for (const [k, v] of this.cache) this.forget(k, v.value);
  }
}
