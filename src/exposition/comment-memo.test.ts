import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../testing/seeded-random.js';
import { CommentMemo } from './comment-memo.js';
import { parseExposition } from './parse.js';
import type { MetricFamily, SampleVisitor } from './types.js';

/** A visitor that only carries a memo, with the life cycle a cache gives it. */
function memoVisitor(): SampleVisitor & { comments: CommentMemo; replayed: number } {
  const comments = new CommentMemo();
  const v = { comments, replayed: 0, known: () => false, sample: () => {} };
  const keep = comments.keep.bind(comments);
  comments.keep = (r) => {
    v.replayed++;
    keep(r);
  };
  return v;
}

type Outcome = { families: Array<Pick<MetricFamily, 'name' | 'type' | 'help'>> } | { error: string };

function parseWith(body: string, keepHelp: boolean, visitor: SampleVisitor): Outcome {
  try {
    const fams = parseExposition(Buffer.from(body), { format: 'text', visitor, keepHelp });
    return { families: fams.map(({ name, type, help }) => ({ name, type, help })) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Parses with the memo (begin, then commit or rollback) and without it; both must agree. */
function both(memo: ReturnType<typeof memoVisitor>, body: string, keepHelp = false): Outcome {
  memo.comments.begin();
  const got = parseWith(body, keepHelp, memo);
  if ('error' in got) memo.comments.rollback();
  else memo.comments.commit();
  const want = parseWith(body, keepHelp, { known: () => false, sample: () => {} });
  assert.deepEqual(got, want, body);
  return got;
}

const BASE = [
  '# HELP a_total Requests, with a \\\\ and a \\n escape.',
  '# TYPE a_total counter',
  'a_total{x="1"} 1',
  '# an ordinary comment',
  '# HELP h A histogram.',
  '# TYPE h histogram',
  'h_bucket{le="1"} 1',
  'h_bucket{le="+Inf"} 2',
  'h_sum 3',
  'h_count 2',
  '# HELP lonely',
  '# HELP blank_only   ',
  '# TYPE "quoted.name" gauge',
  '{"quoted.name"} 4',
  '#',
  '# TYPE s summary',
  's{quantile="0.5"} 1',
  's_sum 1',
  's_count 1',
];

test('an identical body replays every comment line and parses as without the memo', () => {
  const m = memoVisitor();
  const body = `${BASE.join('\n')}\n`;
  both(m, body);
  assert.equal(m.replayed, 0);
  assert.equal(m.comments.size, BASE.filter((l) => l.startsWith('#')).length);
  both(m, body);
  assert.equal(m.replayed, m.comments.size, 'second parse: every comment line replayed');
  both(m, body.replace('1\n', '7\n'), true); // HELP text needed: recorded without it, so parsed
});

test('replayed lines raise the errors of a full parse, at the same line and column', () => {
  const m = memoVisitor();
  both(m, `${BASE.join('\n')}\n`);
  const dupHelp = [...BASE.slice(0, 2), BASE[0], ...BASE.slice(2)];
  const e1 = both(m, `${dupHelp.join('\n')}\n`);
  assert.match('error' in e1 ? e1.error : '', /line 3, col 1: second HELP line for metric name "a_total"/);
  const typeAfter = [...BASE.slice(0, 3), BASE[1], ...BASE.slice(3)];
  const e2 = both(m, `${typeAfter.join('\n')}\n`);
  assert.match('error' in e2 ? e2.error : '', /line 4, col 1: second TYPE line/);
  // The failed parses left the memo as the last good parse made it.
  m.replayed = 0;
  both(m, `${BASE.join('\n')}\n`);
  assert.equal(m.replayed, m.comments.size);
});

test('randomly edited bodies parse exactly as without the memo, through commits and rollbacks', () => {
  const rnd = seededRandom(4242);
  const m = memoVisitor();
  let lines = [...BASE];
  let failures = 0;
  for (let round = 0; round < 400; round++) {
    const next = [...lines];
    const at = rnd.below(next.length);
    switch (rnd.below(7)) {
      case 0: // swap two lines
        [next[at], next[(at + 1) % next.length]] = [next[(at + 1) % next.length] as string, next[at] as string];
        break;
      case 1: // duplicate a line
        next.splice(at, 0, next[at] as string);
        break;
      case 2: // drop a line
        if (next.length > 4) next.splice(at, 1);
        break;
      case 3: // another HELP text or TYPE
        next.splice(
          at,
          0,
          rnd.below(2) === 0 ? `# HELP a_total v${rnd.below(3)}` : `# TYPE h ${['gauge', 'histogram', 'untyped'][rnd.below(3)]}`,
        );
        break;
      case 4: // a malformed comment
        next.splice(at, 0, rnd.below(2) === 0 ? '# TYPE h nonsense' : '# HELP bad\\q escape \\q');
        break;
      case 5: // back to the base body
        next.splice(0, next.length, ...BASE);
        break;
      default: // unchanged
    }
    const out = both(m, `${next.join('\n')}\n`, rnd.below(4) === 0);
    if ('error' in out) failures++;
    else lines = next;
  }
  assert.ok(failures > 20 && failures < 380, `a mix of good and bad bodies (${failures} failed)`);
  assert.ok(m.replayed > 1000, `lines replayed: ${m.replayed}`);
});

test("memory: the arena keeps only the last good parse's lines", () => {
  const m = memoVisitor();
  for (let i = 0; i < 2000; i++) both(m, `# HELP x_total help text number ${i} of many, long enough to matter\nx_total 1\n`);
  assert.equal(m.comments.size, 1);
  const arena = (m.comments as unknown as { arena: Buffer }).arena.length;
  assert.ok(arena <= 16 << 10, `arena ${arena} bytes`);
});
