import { CfPromError } from '../errors.js';

/** A TLS file for the agent connection is missing, unreadable, invalid or expired. */
export class LoggregatorTlsError extends CfPromError {
  constructor(
    readonly file: string,
    readonly setting: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('LOGGREGATOR_TLS', file === '' ? `${setting}: ${reason}` : `${setting} "${file}": ${reason}`, options);
  }
}

/** Invalid sink options (e.g. a queue size of 0, a keepalive the agent would refuse). */
export class LoggregatorConfigError extends CfPromError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('LOGGREGATOR_CONFIG', `${field}: ${message}`);
  }
}

/** The agent ended a BatchSender stream with a non-zero `grpc-status` (`grpc-message` as given). */
export class LoggregatorGrpcStatusError extends CfPromError {
  constructor(
    readonly grpcStatus: number,
    readonly grpcMessage: string,
  ) {
    super('LOGGREGATOR_GRPC_STATUS', `agent answered grpc-status ${grpcStatus}${grpcMessage === '' ? '' : `: ${grpcMessage}`}`);
  }
}
