/** The logging every component takes, injected (pino-compatible: `logger.warn(obj, msg)`). */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything (the default in libraries and tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
