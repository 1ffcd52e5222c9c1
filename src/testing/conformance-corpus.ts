import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the parser conformance corpora are: `CF_PROM_CONFORMANCE_DIR`, else `../shared/conformance`
 * beside the repository, as the project's workspace lays it out.
 *
 * A clone elsewhere has no corpus: its tests are then skipped with this reason, visible in the
 * runner's summary, except under CI (`CI` set), where a missing corpus fails instead, so CI can
 * never pass without the conformance cases.
 */
export function conformanceCorpus(): { dir: string; skip: string | false } {
  const dir = process.env.CF_PROM_CONFORMANCE_DIR ?? resolve(new URL('../../../../shared/conformance/', import.meta.url).pathname);
  if (existsSync(dir) || process.env.CI) return { dir, skip: false };
  return { dir, skip: `conformance corpus not found at ${dir}; set CF_PROM_CONFORMANCE_DIR to run these cases` };
}
