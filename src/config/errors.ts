import { CfPromError } from '../errors.js';

/**
 * A scrape-target source (YAML file, environment variable, CF per-job file, file_sd file) is
 * invalid. `file` is the file or variable, `path` the key path inside it
 * (`scrape_configs[1].tls_config.ca_file`, empty for the whole file), `reason` what is wrong and
 * what is allowed, `line` the 1-based line when known.
 */
export class ConfigError extends CfPromError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
    readonly line: number | null = null,
    options?: ErrorOptions,
  ) {
    super('CONFIG_INVALID', formatConfigMessage(file, path, reason, line), options);
  }
}

/** `<file>: <path>: <reason>`, the path left out when empty, ` (line N)` appended when known. */
export function formatConfigMessage(file: string, path: string, reason: string, line: number | null): string {
  return `${file}: ${path === '' ? '' : `${path}: `}${reason}${line === null ? '' : ` (line ${line})`}`;
}
