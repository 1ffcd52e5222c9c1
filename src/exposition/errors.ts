import { CfPromError } from '../errors.js';
import { utf8 } from './bytes.js';

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

/** The error for byte `pos` of the line starting at `lineStart`: the column counts characters. */
export function errorAt(buf: Buffer, line: number, lineStart: number, pos: number, reason: string): ExpositionError {
  return new ExpositionError(line, utf8(buf, lineStart, pos).length + 1, reason);
}
