/** Base of every error cf-prom raises on purpose: a stable `code` for callers and tests to match on. */
export class CfPromError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
