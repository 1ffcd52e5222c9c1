import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';

export type PathSegment = string | number;

/** `['scrape_configs', 1, 'tls_config']` → `scrape_configs[1].tls_config`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** How a value looks in a message: `a list`, `a mapping`, `null`, or the scalar as JSON. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

/**
 * One parsed YAML (or JSON) text: its plain value plus what is needed to point at a line, and a
 * list collecting every problem found while reading it, so a check can report them all.
 */
export class YamlSource {
  readonly problems: ConfigError[];

  private constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
    private readonly doc: Document | null,
    private readonly lines: LineCounter,
    problems: ConfigError[],
  ) {
    this.problems = problems;
  }

  /** Parses `text`; syntax errors become problems (and `value` is undefined). */
  static parse(text: string, file: string, options: { uniqueKeys?: boolean } = {}): YamlSource {
    const lines = new LineCounter();
    const problems: ConfigError[] = [];
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: options.uniqueKeys ?? true });
    for (const e of doc.errors) {
      const line = e.pos[0] >= 0 ? lines.linePos(e.pos[0]).line : null;
      problems.push(new ConfigError(file, '', `invalid YAML: ${e.message.split('\n')[0]}`, line));
    }
    let value: unknown;
    if (problems.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (err) {
        problems.push(new ConfigError(file, '', `invalid YAML: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    return new YamlSource(file, text, value, problems.length === 0 ? doc : null, lines, problems);
  }

  /** A value already parsed (e.g. by JSON.parse): problems carry no line. */
  static fromValue(value: unknown, file: string): YamlSource {
    return new YamlSource(file, '', value, null, new LineCounter(), []);
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Records a problem at `path`; `atKey` points the line at the key rather than its value. */
  fail(path: readonly PathSegment[], reason: string, atKey = false): void {
    this.problems.push(new ConfigError(this.file, formatPath(path), reason, this.lineOf(path, atKey)));
  }

  /** The 1-based line of the value (or key) at `path`, or null when it cannot be found. */
  lineOf(path: readonly PathSegment[], atKey = false): number | null {
    if (this.doc === null) return null;
    let node: unknown = this.doc.contents;
    let keyNode: Node | null = null;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(seg));
        if (pair === undefined) return this.lineAt(node);
        keyNode = isScalar(pair.key) ? pair.key : null;
        node = pair.value ?? keyNode;
      } else if (isSeq(node) && typeof seg === 'number') {
        keyNode = null;
        node = node.items[seg];
      } else return this.lineAt(node);
    }
    return this.lineAt(atKey && keyNode !== null ? keyNode : node);
  }

  /** The root AST node (aliases not resolved), null when the text did not parse. */
  get root(): unknown {
    return this.doc === null ? null : this.doc.contents;
  }

  resolveAlias(node: unknown): unknown {
    return isAlias(node) && this.doc !== null ? node.resolve(this.doc) : node;
  }

  /**
   * A scalar as Go's yaml.v2 gives it to a `string` field: the source text of a plain scalar
   * (`08080`, `0x1F`, `1e3` unchanged), the decoded value of a quoted one, '' for null.
   * undefined when the node is a list or mapping.
   */
  goString(node: unknown): string | undefined {
    node = this.resolveAlias(node);
    if (node === null || node === undefined) return '';
    if (!isScalar(node)) return undefined;
    if (node.value === null) return '';
    if (node.type === 'PLAIN' && node.range !== undefined && node.range !== null) return this.text.slice(node.range[0], node.range[1]);
    return String(node.value);
  }

  nodeLine(node: unknown): number | null {
    return this.lineAt(node);
  }

  private lineAt(node: unknown): number | null {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? null : this.lines.linePos(range[0]).line;
  }

  // Typed readers: each returns undefined (after recording a problem) when the value is wrong.

  /** A mapping whose keys must all be in `allowed` (null → empty). Unknown keys are problems. */
  mapping(
    v: unknown,
    path: readonly PathSegment[],
    allowed: readonly string[] | null,
    hints: Record<string, string> = {},
  ): Record<string, unknown> | undefined {
    if (v === null || v === undefined) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(path, `must be a mapping, got ${describe(v)}`);
      return undefined;
    }
    const obj = v as Record<string, unknown>;
    if (allowed !== null) {
      for (const key of Object.keys(obj)) {
        if (allowed.includes(key)) continue;
        const hint = hints[key];
        this.fail([...path, key], hint === undefined ? `unknown field; allowed: ${allowed.join(', ')}` : `unknown field: ${hint}`, true);
      }
    }
    return obj;
  }

  list(v: unknown, path: readonly PathSegment[], what: string): unknown[] | undefined {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(path, `must be a list of ${what}, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** A scalar as text, as Go's YAML decoder gives a string field (`123` → "123"). */
  string(v: unknown, path: readonly PathSegment[]): string | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    this.fail(path, `must be a string, got ${describe(v)}`);
    return undefined;
  }

  boolean(v: unknown, path: readonly PathSegment[]): boolean | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    this.fail(path, `must be true or false, got ${describe(v)}`);
    return undefined;
  }

  /** A non-negative integer (limits: 0 means none). */
  count(v: unknown, path: readonly PathSegment[]): number | undefined {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    this.fail(path, `must be a non-negative integer (0 = no limit), got ${describe(v)}`);
    return undefined;
  }

  /** A mapping of strings to strings. */
  stringMap(v: unknown, path: readonly PathSegment[]): Record<string, string> | undefined {
    const obj = this.mapping(v, path, null);
    if (obj === undefined) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const [k, val] of Object.entries(obj)) {
      const s = this.string(val ?? '', [...path, k]);
      if (s === undefined) ok = false;
      else out[k] = s;
    }
    return ok ? out : undefined;
  }

  stringList(v: unknown, path: readonly PathSegment[], what: string): string[] | undefined {
    const items = this.list(v, path, what);
    if (items === undefined) return undefined;
    const out: string[] = [];
    let ok = true;
    items.forEach((item, i) => {
      if (item === null || item === undefined || typeof item === 'object') {
        this.fail([...path, i], `must be a string, got ${describe(item)}`);
        ok = false;
        return;
      }
      out.push(String(item));
    });
    return ok ? out : undefined;
  }
}
