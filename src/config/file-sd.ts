import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Labels } from '../exposition/index.js';
import { isValidLabelName } from '../relabel/index.js';
import { ConfigError } from './errors.js';
import { expandGlob } from './globs.js';
import { targetAddressProblem } from './target-address.js';
import type { TargetGroup } from './types.js';
import { describe, YamlSource } from './yaml-source.js';

/**
 * Reads a file_sd file: a JSON (`.json`) or YAML (`.yml`/`.yaml`) list of
 * `{targets: [...], labels: {...}}`. Every group's `source` is the file path.
 * @throws ConfigError naming the file, the group and the field.
 */
export function readFileSdFile(path: string): TargetGroup[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '', `cannot read file: ${(err as Error).message}`, null, { cause: err });
  }
  return parseFileSd(text, path);
}

/** {@link readFileSdFile} on text already read. @throws ConfigError */
export function parseFileSd(text: string, path: string): TargetGroup[] {
  if (/\.json$/i.test(path)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(path, '', `invalid JSON: ${(err as Error).message}`);
    }
    // JSON.parse is ~50x faster than the YAML reader on large files; the YAML reader (JSON is
    // YAML) runs again only to give the first problem a line number.
    const fast = YamlSource.fromValue(value, path);
    const groups = readGroups(fast);
    if (fast.problems[0] === undefined) return groups;
    const slow = YamlSource.parse(text, path);
    if (slow.ok) readGroups(slow);
    throw slow.problems[0] ?? fast.problems[0];
  }
  const src = YamlSource.parse(text, path);
  if (src.problems[0] !== undefined) throw src.problems[0];
  const groups = readGroups(src);
  if (src.problems[0] !== undefined) throw src.problems[0];
  return groups;
}

function readGroups(src: YamlSource): TargetGroup[] {
  const path = src.file;
  const groups: TargetGroup[] = [];
  const items = src.list(src.value, [], 'target groups ({targets: [...], labels: {...}})') ?? [];
  items.forEach((raw, i) => {
    const g = src.mapping(raw, [i], ['targets', 'labels']);
    if (g === undefined) return;
    const targets = src.stringList(g.targets, [i, 'targets'], 'target addresses') ?? [];
    targets.forEach((t, j) => {
      const problem = targetAddressProblem(t);
      if (problem !== null) src.fail([i, 'targets', j], problem);
    });
    const labels: Labels = [];
    const map = src.mapping(g.labels, [i, 'labels'], null) ?? {};
    for (const [name, value] of Object.entries(map)) {
      if (!isValidLabelName(name, 'utf8')) src.fail([i, 'labels', name], `invalid label name ${JSON.stringify(name)}`, true);
      else if (typeof value !== 'string') src.fail([i, 'labels', name], `label value must be a string, got ${describe(value)}`);
      else labels.push(name, value);
    }
    groups.push({ targets, labels, source: path });
  });
  return groups;
}

export interface FileSdListener {
  /**
   * A file's groups changed (new file, edit, or removed → `[]`). `all` is the groups of every
   * file, in file order: what the job should scrape now.
   */
  onGroups(file: string, groups: TargetGroup[], all: TargetGroup[]): void;
  /**
   * A file could not be read or is invalid: its previous groups stay in effect. Reported once
   * per distinct error until the file reads again.
   */
  onError(error: ConfigError): void;
}

/**
 * Watches one job's `file_sd_configs`: re-reads the matching files when their directory changes
 * (fs.watch, debounced) and every `refreshIntervalMs`. Reports a file only when its groups
 * change. Timers and watchers are unref'd: they never keep the process alive.
 */
export class FileSdWatcher {
  private readonly current = new Map<string, { key: string; groups: TargetGroup[] }>();
  private readonly lastError = new Map<string, string>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly configs: ReadonlyArray<{ files: readonly string[]; refreshIntervalMs: number }>,
    private readonly listener: FileSdListener,
    private readonly options: { debounceMs?: number } = {},
  ) {}

  /** Reads every file once (reporting synchronously), then starts watching. */
  start(): void {
    this.refresh();
    const dirs = new Set(this.configs.flatMap((c) => c.files.map((f) => dirname(f))));
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => {}); // the refresh timer still covers the directory
        this.watchers.push(w);
      } catch {
        // A missing directory is covered by the refresh interval.
      }
    }
    const interval = Math.min(...this.configs.map((c) => c.refreshIntervalMs));
    if (Number.isFinite(interval) && interval > 0) {
      this.timer = setInterval(() => this.refresh(), interval);
      this.timer.unref();
    }
  }

  /** The groups of every file, in file order. */
  groups(): TargetGroup[] {
    return [...this.current.values()].flatMap((e) => e.groups);
  }

  /** Re-reads every matching file now. */
  refresh(): void {
    if (this.stopped) return;
    const found: string[] = [];
    for (const c of this.configs) for (const f of c.files) for (const m of expandGlob(f)) if (!found.includes(m)) found.push(m);
    const changed: Array<[string, TargetGroup[]]> = [];
    for (const file of found) {
      let groups: TargetGroup[];
      try {
        groups = readFileSdFile(file);
      } catch (err) {
        const e = err instanceof ConfigError ? err : new ConfigError(file, '', String(err));
        // Once per distinct error, not on every refresh.
        if (this.lastError.get(file) !== e.message) {
          this.lastError.set(file, e.message);
          this.listener.onError(e);
        }
        continue;
      }
      this.lastError.delete(file);
      const key = JSON.stringify(groups);
      if (this.current.get(file)?.key === key) continue;
      this.current.set(file, { key, groups });
      changed.push([file, groups]);
    }
    for (const file of [...this.lastError.keys()]) if (!found.includes(file)) this.lastError.delete(file);
    for (const file of [...this.current.keys()]) {
      if (found.includes(file)) continue;
      this.current.delete(file);
      changed.push([file, []]);
    }
    if (changed.length === 0) return;
    // Keep file order stable: the order the patterns find them.
    const ordered = new Map([...this.current].sort((a, b) => found.indexOf(a[0]) - found.indexOf(b[0])));
    this.current.clear();
    for (const [k, v] of ordered) this.current.set(k, v);
    const all = this.groups();
    for (const [file, groups] of changed) this.listener.onGroups(file, groups, all);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.timer = null;
    this.debounce = null;
  }

  private schedule(): void {
    if (this.stopped || this.debounce !== null) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.refresh();
    }, this.options.debounceMs ?? 50);
    this.debounce.unref();
  }
}
