/** A one-way flag with a promise: a source's readiness, opened once. */
export class Latch {
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private opened = false;

  constructor() {
    this.promise = new Promise((r) => {
      this.resolve = r;
    });
  }

  get done(): boolean {
    return this.opened;
  }

  /** Opens the latch; true only the first time (so callers log and count once). */
  open(): boolean {
    if (this.opened) return false;
    this.opened = true;
    this.resolve();
    return true;
  }
}
