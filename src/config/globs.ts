import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

/**
 * Expands a path or glob (`*`, `?`, `[...]`, `**`) to the matching files as absolute paths,
 * sorted. A pattern without glob characters is returned as is when it exists (file or not).
 */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  if (!isDynamicPattern(pattern)) {
    const abs = resolve(cwd, pattern);
    try {
      statSync(abs);
      return [abs];
    } catch {
      return [];
    }
  }
  return globSync([pattern], { cwd, absolute: true, dot: true, expandDirectories: false, extglob: false, onlyFiles: true }).sort();
}

export { isDynamicPattern };
