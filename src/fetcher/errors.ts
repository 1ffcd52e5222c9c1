import { CfPromError } from '../errors.js';

/** A bad fetcher config file or environment value: names the file, the key and what is allowed. */
export class FetcherConfigError extends CfPromError {
  constructor(
    readonly file: string,
    readonly key: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('FETCHER_CONFIG', `${file}: ${key === '' ? '' : `${key}: `}${message}`, options);
  }
}

/** A refused API request (bad `metric_path`, missing id …): the HTTP status and body to answer with. */
export class FetcherRequestError extends CfPromError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
  ) {
    super(code, message);
  }
}
