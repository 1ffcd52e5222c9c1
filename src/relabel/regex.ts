import { RE2JS } from 're2js';
import { expandTemplate, type Template } from './expand.js';

export type RegexKind = 'any' | 'literals' | 'prefix' | 're2';
type Groups = readonly (string | null)[];

// Label values repeat a lot (a handful of paths, methods, codes across thousands of series), and
// the engine costs ~0.3–1 µs per call: remember recent results per regex. Bounded: short values
// only, and a memo is cleared when it fills up.
const MEMO_MAX_ENTRIES = 4096;
const MEMO_MAX_VALUE_LENGTH = 256;

/**
 * A relabel `regex`, anchored as Prometheus anchors it: `^(?s:<pattern>)$` (Prometheus 3; `.`
 * matches newlines too). Matching uses RE2 (linear time, Go syntax and semantics); the common
 * shapes skip the engine: `.*` / `(.*)`, literal alternations (`a|b|c`, `(?:a|b)`, `(a|b)`), and
 * a literal prefix followed by `.*`, `.+`, `(.*)` or `(.+)`. One class for every kind keeps the
 * call sites in the per-sample loop monomorphic.
 */
export class RelabelRegex {
  readonly groupCount: number;
  readonly namedGroups: Readonly<Record<string, number>>;
  readonly kind: RegexKind;
  /** For kind `literals`: the strings that match. */
  readonly literals: ReadonlySet<string> | null = null;
  /** For kind `prefix`: the literal prefix and the minimum length of the rest (0 or 1). */
  private readonly prefix: string = '';
  private readonly minRest: number = 0;
  /** For the fast kinds: group 1 wraps the part after the prefix (or the whole value). */
  private readonly captures: boolean = false;
  private readonly tested = new Map<string, boolean>();
  private readonly matched = new Map<string, Groups | null>();

  /** Compiles `source`; throws the engine's syntax error (message as Go's `regexp`) when invalid. */
  constructor(readonly source: string) {
    // Always compile with the engine first, so the fast paths never accept what Go would reject.
    this.re = RE2JS.compile(`^(?s:${source})$`);
    this.groupCount = this.re.groupCount();
    this.namedGroups = this.re.namedGroups();
    if (source === '.*' || source === '(.*)') {
      this.kind = 'any';
      this.captures = source === '(.*)';
      return;
    }
    const alternation = literalAlternation(source);
    if (alternation !== null) {
      this.kind = 'literals';
      this.literals = new Set(alternation.literals);
      this.captures = alternation.captures;
      return;
    }
    const prefix = literalPrefix(source);
    if (prefix !== null) {
      this.kind = 'prefix';
      this.prefix = prefix.literal;
      this.minRest = prefix.minRest;
      this.captures = prefix.captures;
      return;
    }
    this.kind = 're2';
  }

  private readonly re: RE2JS;

  /** Whether the whole of `s` matches. */
  test(s: string): boolean {
    switch (this.kind) {
      case 'any':
        return true;
      case 'literals':
        return (this.literals as ReadonlySet<string>).has(s);
      case 'prefix':
        return s.length >= this.prefix.length + this.minRest && s.startsWith(this.prefix);
      default: {
        if (s.length > MEMO_MAX_VALUE_LENGTH) return this.re.test(s);
        let r = this.tested.get(s);
        if (r === undefined) {
          if (this.tested.size >= MEMO_MAX_ENTRIES) this.tested.clear();
          r = this.re.test(s);
          this.tested.set(s, r);
        }
        return r;
      }
    }
  }

  /**
   * Texts of all groups (null: did not participate) of the leftmost match, as Go's
   * `FindStringSubmatch`, or null when there is none. The array may be shared between calls:
   * read it, never modify it.
   */
  match(s: string): Groups | null {
    if (this.kind !== 're2') {
      if (!this.test(s)) return null;
      if (!this.captures) return [s];
      return [s, this.kind === 'prefix' ? s.slice(this.prefix.length) : s];
    }
    if (s.length > MEMO_MAX_VALUE_LENGTH) return this.run(s);
    let r = this.matched.get(s);
    if (r === undefined) {
      if (this.matched.size >= MEMO_MAX_ENTRIES) this.matched.clear();
      r = this.run(s);
      this.matched.set(s, r);
    }
    return r;
  }

  /**
   * Go's `ReplaceAllString(s, template)`: the text between matches is kept. Only differs from
   * expanding the one whole-value match for patterns that escape the anchoring group
   * (`a)|(b`), which Prometheus accepts too. Call it when `test(s)` is true.
   */
  replaceAll(s: string, template: Template): string {
    const whole = this.match(s);
    if (whole !== null && whole[0]?.length === s.length) return expandTemplate(template, whole);
    return this.goReplaceAll(s, template);
  }

  private run(s: string): Groups | null {
    if (!this.re.test(s)) return null;
    const m = this.re.matcher(s);
    if (!m.find()) return null;
    const groups: (string | null)[] = new Array(this.groupCount + 1);
    for (let i = 0; i <= this.groupCount; i++) groups[i] = m.group(i);
    return groups;
  }

  // Go's regexp.replaceAll loop over UTF-16 offsets: keep unmatched text, skip an empty match
  // right after a match, always advance by at least one code point.
  private goReplaceAll(s: string, template: Template): string {
    const m = this.re.matcher(s);
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= s.length) {
      if (!m.find(searchPos)) break;
      const start = m.start(0);
      const end = m.end(0);
      out += s.slice(lastMatchEnd, start);
      if (end > lastMatchEnd || start === 0) {
        const groups: (string | null)[] = new Array(this.groupCount + 1);
        for (let i = 0; i <= this.groupCount; i++) groups[i] = m.group(i);
        out += expandTemplate(template, groups);
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
}

/** Compiles `pattern`; throws the engine's syntax error (message as Go's `regexp`) when invalid. */
export function compileRelabelRegex(pattern: string): RelabelRegex {
  return new RelabelRegex(pattern);
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
