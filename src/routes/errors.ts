import { CfPromError } from '../errors.js';

/** Codes: ROUTES_NATS_CONNECT, ROUTES_NATS_CLOSED, ROUTES_GOROUTER_POLL, ROUTES_FILE, ROUTES_ENTRY. */
export class RoutesError extends CfPromError {}

/** A source could not connect or load. `source` names the file, URL or NATS servers. */
export class RouteSourceError extends RoutesError {
  constructor(
    code: string,
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** One malformed message or entry; `reason` is the stable counter label, `path` says where. */
export class RouteEntryError extends RoutesError {
  constructor(
    readonly reason: string,
    readonly path: string,
    message: string,
  ) {
    super('ROUTES_ENTRY', path === '' ? message : `${path}: ${message}`);
  }
}
