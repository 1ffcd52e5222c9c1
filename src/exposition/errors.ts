import { CfPromError } from '../errors.js';

/**
 * Malformed exposition. `line` and `column` are 1-based; the column counts characters (UTF-8
 * code points) from the start of the line, so an editor jumps to the right place.
 */
export class ExpositionError extends CfPromError {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    code = 'EXPOSITION_SYNTAX',
  ) {
    super(code, `line ${line}, col ${column}: ${reason}`);
  }
}
