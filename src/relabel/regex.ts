import { RE2JS } from 're2js';

/**
 * A relabel `regex`, anchored as Prometheus anchors it: `^(?s:<pattern>)$` (Prometheus 3; `.`
 * matches newlines too). Matching uses RE2 (linear time, Go syntax and semantics); the common
 * shapes skip the engine: `.*` / `(.*)`, literal alternations (`a|b|c`, `(?:a|b)`), and a
 * literal prefix followed by `.*`, `.+`, `(.*)` or `(.+)`.
 */
export interface RelabelRegex {
  /** The pattern as configured (unanchored). */
  readonly source: string;
  readonly kind: 'any' | 'literals' | 'prefix' | 're2';
  /** For kind `literals`: the strings that match. */
  readonly literals: ReadonlySet<string> | null;
  readonly groupCount: number;
  readonly namedGroups: Readonly<Record<string, number>>;
  /** Whether the whole of `s` matches. */
  test(s: string): boolean;
  /**
   * Texts of groups 0..upTo at least (null: did not participate), or null when `s` does not
   * match. The array may be shared between calls: read it, never modify it.
   */
  match(s: string, upTo: number): readonly (string | null)[] | null;
  /**
   * Go's `ReplaceAllString` with `expand` producing each replacement: the text between matches
   * is kept. Only differs from expanding the one whole-value match for patterns that escape the
   * anchoring group (`a)|(b`), which Prometheus accepts too.
   */
  replaceAll(s: string, expand: (groups: readonly (string | null)[]) => string): string;
}

/** Compiles `pattern`; throws the engine's syntax error (message as Go's `regexp`) when invalid. */
export function compileRelabelRegex(pattern: string): RelabelRegex {
  // Always compile with the engine first, so the fast paths never accept what Go would reject.
  const re = RE2JS.compile(`^(?s:${pattern})$`);
  const groupCount = re.groupCount();
  const namedGroups = re.namedGroups();
  return fastPath(pattern, groupCount, namedGroups) ?? engineRegex(pattern, re, groupCount, namedGroups);
}

// Label values repeat a lot (a handful of paths, methods, codes across thousands of series), and
// the engine costs ~0.3–1 µs per call: remember recent results per regex. Bounded: short values
// only, and the memo is cleared when it fills up.
const MEMO_MAX_ENTRIES = 4096;
const MEMO_MAX_VALUE_LENGTH = 256;

function engineRegex(source: string, re: RE2JS, groupCount: number, namedGroups: Record<string, number>): RelabelRegex {
  const tested = new Map<string, boolean>();
  const matched = new Map<string, (string | null)[] | null>();
  const run = (s: string): (string | null)[] | null => {
    if (!re.test(s)) return null;
    const m = re.matcher(s);
    if (!m.find()) return null;
    const groups: (string | null)[] = new Array(groupCount + 1);
    for (let i = 0; i <= groupCount; i++) groups[i] = m.group(i);
    return groups;
  };
  return {
    source,
    kind: 're2',
    literals: null,
    groupCount,
    namedGroups,
    test(s) {
      if (s.length > MEMO_MAX_VALUE_LENGTH) return re.test(s);
      let r = tested.get(s);
      if (r === undefined) {
        if (tested.size >= MEMO_MAX_ENTRIES) tested.clear();
        r = re.test(s);
        tested.set(s, r);
      }
      return r;
    },
    match(s) {
      if (s.length > MEMO_MAX_VALUE_LENGTH) return run(s);
      let r = matched.get(s);
      if (r === undefined) {
        if (matched.size >= MEMO_MAX_ENTRIES) matched.clear();
        r = run(s);
        matched.set(s, r);
      }
      // Callers only read the groups; the shared array is never handed out for writing.
      return r;
    },
    replaceAll(s, expand) {
      const whole = this.match(s, groupCount);
      if (whole !== null && whole[0]?.length === s.length) return expand(whole);
      return goReplaceAll(re, groupCount, s, expand);
    },
  };
}

// Go's regexp.replaceAll loop over UTF-16 offsets: keep unmatched text, skip an empty match
// right after a match, always advance by at least one code point.
function goReplaceAll(re: RE2JS, groupCount: number, s: string, expand: (groups: readonly (string | null)[]) => string): string {
  const m = re.matcher(s);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    if (!m.find(searchPos)) break;
    const start = m.start(0);
    const end = m.end(0);
    out += s.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) {
      const groups: (string | null)[] = new Array(groupCount + 1);
      for (let i = 0; i <= groupCount; i++) groups[i] = m.group(i);
      out += expand(groups);
    }
    lastMatchEnd = end;
    const cp = s.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + s.slice(lastMatchEnd);
}

function fastPath(source: string, groupCount: number, namedGroups: Record<string, number>): RelabelRegex | null {
  const base = { source, groupCount, namedGroups };
  if (source === '.*' || source === '(.*)') {
    const captures = source === '(.*)';
    return {
      ...base,
      kind: 'any',
      literals: null,
      test: () => true,
      match: (s) => (captures ? [s, s] : [s]),
      replaceAll: (s, expand) => expand(captures ? [s, s] : [s]),
    };
  }
  const alternation = literalAlternation(source);
  if (alternation !== null) {
    const set = new Set(alternation.literals);
    const captures = alternation.captures;
    return {
      ...base,
      kind: 'literals',
      literals: set,
      test: (s) => set.has(s),
      match: (s) => (set.has(s) ? (captures ? [s, s] : [s]) : null),
      replaceAll: (s, expand) => (set.has(s) ? expand(captures ? [s, s] : [s]) : s),
    };
  }
  const prefix = literalPrefix(source);
  if (prefix !== null) {
    const { literal, minRest, captures } = prefix;
    const test = (s: string) => s.length >= literal.length + minRest && s.startsWith(literal);
    return {
      ...base,
      kind: 'prefix',
      literals: null,
      test,
      match: (s) => (test(s) ? (captures ? [s, s.slice(literal.length)] : [s]) : null),
      replaceAll: (s, expand) => (test(s) ? expand(captures ? [s, s.slice(literal.length)] : [s]) : s),
    };
  }
  return null;
}

// Characters that are never literal in RE2 syntax outside a class (conservatively: `]`, `{`, `}`
// can be literal in Go, but we leave those patterns to the engine).
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);

function isAsciiPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/** `a|b\.c|d`, optionally wrapped in `(?:…)` or `(…)` → the literal strings, or null. */
function literalAlternation(source: string): { literals: string[]; captures: boolean } | null {
  let body = source;
  let captures = false;
  if (body.startsWith('(?:') && body.endsWith(')')) body = body.slice(3, -1);
  else if (body.startsWith('(') && !body.startsWith('(?') && body.endsWith(')')) {
    body = body.slice(1, -1);
    captures = true;
  }
  const literals: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      const next = body.charCodeAt(i + 1);
      if (!isAsciiPunct(next)) return null;
      current += body[i + 1];
      i++;
    } else if (ch === '|') {
      literals.push(current);
      current = '';
    } else if (META.has(ch)) {
      return null;
    } else current += ch;
  }
  literals.push(current);
  return { literals, captures };
}

/** `lit.*`, `lit.+`, `lit(.*)`, `lit(.+)` → the literal prefix, or null. */
function literalPrefix(source: string): { literal: string; minRest: number; captures: boolean } | null {
  for (const [suffix, minRest, captures] of [
    ['.*', 0, false],
    ['.+', 1, false],
    ['(.*)', 0, true],
    ['(.+)', 1, true],
  ] as const) {
    if (!source.endsWith(suffix)) continue;
    const head = source.slice(0, -suffix.length);
    const lit = literalAlternation(head);
    // A bare literal only: an alternation or a group would bind differently.
    if (lit === null || lit.literals.length !== 1 || head.startsWith('(')) return null;
    return { literal: lit.literals[0] as string, minRest, captures };
  }
  return null;
}
