/** promfetcher's health states: `initializing` → `healthy` → `degraded` (sticky, never back). */
export type HealthState = 'initializing' | 'healthy' | 'degraded';

export class Health {
  private s: HealthState = 'initializing';

  get state(): HealthState {
    return this.s;
  }
  /** Called once the route source is ready; ignored after `degrade()`. */
  setHealthy(): void {
    if (this.s === 'initializing') this.s = 'healthy';
  }
  /** SIGUSR1 / shutdown: load balancers drain from now on. */
  degrade(): void {
    this.s = 'degraded';
  }
  isHealthy(): boolean {
    return this.s === 'healthy';
  }
}
