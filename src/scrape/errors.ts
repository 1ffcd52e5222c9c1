import { CfPromError } from '../errors.js';

/**
 * Why a scrape failed, as a short stable word: the `reason` label of `scrapes_error_total` and
 * what a target's health shows. The detail goes to the log and the health's `lastError`.
 */
export const SCRAPE_FAILURE = [
  'refused',
  'dns',
  'timeout',
  'tls',
  'reset',
  'http_status',
  'body_too_large',
  'invalid_body',
  'sample_limit',
  'label_limit',
  'other',
] as const;
export type ScrapeFailureReason = (typeof SCRAPE_FAILURE)[number];

export class ScrapeError extends CfPromError {
  constructor(
    readonly reason: ScrapeFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`SCRAPE_${reason.toUpperCase()}`, message, options);
  }
}

/** Classifies whatever a request threw into one of the fixed reasons. */
export function toScrapeError(err: unknown): ScrapeError {
  if (err instanceof ScrapeError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const msg = e?.message ?? String(err);
  let reason: ScrapeFailureReason = 'other';
  if (code === 'ECONNREFUSED') reason = 'refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = 'dns';
  else if (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  )
    reason = 'timeout';
  else if (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /certificate|SSL|TLS|self[- ]signed|altnames/i.test(`${code} ${msg}`)
  )
    reason = 'tls';
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') reason = 'reset';
  else if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code.startsWith('EXPOSITION_')) reason = 'invalid_body';
  return new ScrapeError(reason, reason === 'timeout' ? `timeout: ${msg}` : msg, { cause: err });
}
