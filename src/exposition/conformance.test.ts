import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { conformanceCorpus } from '../testing/conformance-corpus.js';
import { ExpositionError } from './errors.js';
import { ExpositionStreamParser, parseExposition } from './parse.js';
import type { ExpositionFormat } from './types.js';
import { writeExposition } from './writer.js';

// The corpora are read at run time from beside the repository (or CF_PROM_CONFORMANCE_DIR).
const { dir: corpus, skip } = conformanceCorpus();

interface Case {
  name: string;
  file: string;
  format: ExpositionFormat;
  valid: boolean | null;
}

function cases(): Case[] {
  const out: Case[] = [];
  const om = join(corpus, 'openmetrics');
  for (const name of readdirSync(om).sort()) {
    const t = join(om, name, 'test.json');
    if (!existsSync(t)) continue;
    const spec = JSON.parse(readFileSync(t, 'utf8')) as { file: string; shouldParse: boolean };
    out.push({ name: `openmetrics/${name}`, file: join(om, name, spec.file), format: 'openmetrics', valid: spec.shouldParse });
  }
  const manifest = JSON.parse(readFileSync(join(corpus, 'prometheus', 'manifest.json'), 'utf8')) as {
    files: Record<string, { format?: string; expected_valid: boolean | null }>;
  };
  for (const [rel, m] of Object.entries(manifest.files)) {
    const format: ExpositionFormat = m.format?.startsWith('openmetrics') ? 'openmetrics' : 'text';
    out.push({ name: `prometheus/${rel}`, file: join(corpus, 'prometheus', rel), format, valid: m.expected_valid });
  }
  return out;
}

const all = skip ? [] : cases();
test('the conformance corpora are present', { skip }, () => assert.ok(all.length >= 245, `found ${all.length} cases`));

for (const c of all) {
  test(`conformance ${c.name}`, () => {
    const body = readFileSync(c.file);
    let err: unknown = null;
    let fams = null;
    try {
      fams = parseExposition(body, { format: c.format });
    } catch (e) {
      err = e;
    }
    if (err !== null) assert.ok(err instanceof ExpositionError, `not an ExpositionError: ${String(err)}`);
    if (c.valid === true) assert.equal(err, null, `should parse: ${String(err)}`);
    if (c.valid === false) assert.ok(err !== null, 'should be rejected');
    if (fams === null) return;
    // Round trip: write in the same format and parse again: identical families.
    const again = parseExposition(Buffer.from(writeExposition(fams, c.format)), { format: c.format });
    assert.deepEqual(normalize(again), normalize(fams));
    // Chunked parsing gives the same result at every split of small inputs, and for 7-byte chunks.
    if (body.length < 400) {
      for (let cut = 1; cut < body.length; cut++) {
        const p = new ExpositionStreamParser({ format: c.format });
        p.push(body.subarray(0, cut));
        p.push(body.subarray(cut));
        assert.deepEqual(normalize(p.end()), normalize(fams), `split at ${cut}`);
      }
    }
    const p = new ExpositionStreamParser({ format: c.format });
    for (let i = 0; i < body.length; i += 7) p.push(body.subarray(i, i + 7));
    assert.deepEqual(normalize(p.end()), normalize(fams));
  });
}

/** NaN-safe comparable form (deepEqual treats NaN as equal, but -0/0 and bigint need care). */
function normalize(f: ReturnType<typeof parseExposition>): unknown {
  return f.map((x) => ({ ...x, samples: x.samples.map((s) => ({ ...s, value: Object.is(s.value, -0) ? 0 : s.value })) }));
}
