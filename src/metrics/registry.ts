import { escapeLabelValue, formatGoFloat } from '../exposition/index.js';

/** Something the registry can write: one family in text format 0.0.4. */
export interface Collector {
  readonly name: string;
  render(out: string[]): void;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new Error(`metrics: invalid metric name ${JSON.stringify(name)}`);
  for (const l of labelNames) {
    if (!LABEL.test(l) || l.startsWith('__')) throw new Error(`metrics: ${name}: invalid label name ${JSON.stringify(l)}`);
  }
}

/** `{a="x",b="y"}` for label names and values (values escaped), "" when there are none. */
function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  if (names.length === 0 && extra === '') return '';
  let s = '{';
  for (let i = 0; i < names.length; i++) s += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  if (extra !== '') s += `${names.length === 0 ? '' : ','}${extra}`;
  return `${s}}`;
}

function header(out: string[], name: string, help: string, type: string): void {
  out.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`);
}

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** Shared child bookkeeping: one child per distinct label-value tuple, in creation order. */
abstract class Family<Child> implements Collector {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly children = new Map<string, { values: string[]; child: Child }>();

  constructor(opts: MetricOptions) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
    checkNames(opts.name, this.labelNames);
  }

  protected abstract create(): Child;
  abstract render(out: string[]): void;

  /** The child for these label values (one per label name, in order); created on first use. */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(
        `metrics: ${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    }
    const key = values.join('\xff');
    let e = this.children.get(key);
    if (e === undefined) {
      e = { values, child: this.create() };
      this.children.set(key, e);
    }
    return e.child;
  }

  /** Forgets one child (e.g. an app that went away), so label sets do not accumulate forever. */
  remove(...values: string[]): void {
    this.children.delete(values.join('\xff'));
  }

  reset(): void {
    this.children.clear();
  }
}

export interface CounterChild {
  inc(by?: number): void;
  get(): number;
}

/**
 * Monotonic counter. `inc()` on the family itself is the unlabelled series. With `collect`, the
 * counter mirrors a count kept elsewhere: it is called before each render and may `set` children.
 */
export class Counter extends Family<CounterChild> {
  private readonly collect: ((set: (value: number, ...labelValues: string[]) => void) => void) | undefined;

  constructor(opts: MetricOptions & { collect?: (set: (value: number, ...labelValues: string[]) => void) => void }) {
    super(opts);
    this.collect = opts.collect;
  }

  protected create(): CounterChild {
    let v = 0;
    return {
      inc(by = 1) {
        if (!(by >= 0)) throw new Error('metrics: counters only go up');
        v += by;
      },
      get: () => v,
    };
  }

  inc(by = 1): void {
    this.labels().inc(by);
  }

  get(...values: string[]): number {
    return this.children.get(values.join('\xff'))?.child.get() ?? 0;
  }

  render(out: string[]): void {
    if (this.collect !== undefined) {
      this.collect((value, ...labelValues) => {
        const c = this.labels(...labelValues);
        const now = c.get();
        if (value > now) c.inc(value - now);
      });
    }
    header(out, this.name, this.help, 'counter');
    if (this.labelNames.length === 0 && this.children.size === 0) out.push(`${this.name} 0\n`);
    for (const { values, child } of this.children.values()) {
      out.push(`${this.name}${labelText(this.labelNames, values)} ${formatGoFloat(child.get())}\n`);
    }
  }
}

export interface GaugeChild {
  set(v: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  get(): number;
}

/** A value that goes up and down; `collect` (optional) is called before each render to refresh it. */
export class Gauge extends Family<GaugeChild> {
  private readonly collect: ((g: Gauge) => void) | undefined;

  constructor(opts: MetricOptions & { collect?: (g: Gauge) => void }) {
    super(opts);
    this.collect = opts.collect;
  }

  protected create(): GaugeChild {
    let v = 0;
    return {
      set(x) {
        v = x;
      },
      inc(by = 1) {
        v += by;
      },
      dec(by = 1) {
        v -= by;
      },
      get: () => v,
    };
  }

  set(v: number): void {
    this.labels().set(v);
  }
  inc(by = 1): void {
    this.labels().inc(by);
  }
  dec(by = 1): void {
    this.labels().dec(by);
  }
  get(...values: string[]): number {
    return this.children.get(values.join('\xff'))?.child.get() ?? 0;
  }

  render(out: string[]): void {
    this.collect?.(this);
    header(out, this.name, this.help, 'gauge');
    if (this.labelNames.length === 0 && this.children.size === 0) out.push(`${this.name} 0\n`);
    for (const { values, child } of this.children.values()) {
      out.push(`${this.name}${labelText(this.labelNames, values)} ${formatGoFloat(child.get())}\n`);
    }
  }
}

export interface HistogramChild {
  observe(v: number): void;
  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(): () => number;
  readonly count: number;
  readonly sum: number;
}

/** Prometheus client libraries' default buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Cumulative histogram with fixed upper bounds; `+Inf` is implicit. */
export class Histogram extends Family<HistogramChild> {
  readonly buckets: readonly number[];

  constructor(opts: MetricOptions & { buckets?: readonly number[] }) {
    super(opts);
    if (this.labelNames.includes('le')) throw new Error(`metrics: ${opts.name}: "le" is reserved in histograms`);
    const b = [...(opts.buckets ?? DEFAULT_BUCKETS)].filter((x) => x !== Number.POSITIVE_INFINITY);
    for (let i = 1; i < b.length; i++) {
      if (!((b[i] as number) > (b[i - 1] as number))) throw new Error(`metrics: ${opts.name}: buckets must increase`);
    }
    this.buckets = b;
  }

  protected create(): HistogramChild {
    const bounds = this.buckets;
    const counts = new Float64Array(bounds.length);
    const state = { count: 0, sum: 0 };
    const observe = (v: number) => {
      // Linear scan: bucket lists are short, and this beats a binary search below ~20 bounds.
      for (let i = 0; i < bounds.length; i++) {
        if (v <= (bounds[i] as number)) {
          counts[i] = (counts[i] as number) + 1;
          break;
        }
      }
      state.count++;
      state.sum += v;
    };
    const child = {
      observe,
      startTimer() {
        const t0 = process.hrtime.bigint();
        return () => {
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          observe(s);
          return s;
        };
      },
      get count() {
        return state.count;
      },
      get sum() {
        return state.sum;
      },
      cumulative(): number[] {
        const out: number[] = [];
        let acc = 0;
        for (const c of counts) {
          acc += c;
          out.push(acc);
        }
        return out;
      },
    };
    return child;
  }

  observe(v: number): void {
    this.labels().observe(v);
  }

  render(out: string[]): void {
    header(out, this.name, this.help, 'histogram');
    for (const { values, child } of this.children.values()) {
      const cum = (child as HistogramChild & { cumulative(): number[] }).cumulative();
      for (let i = 0; i < this.buckets.length; i++) {
        const le = `le="${formatGoFloat(this.buckets[i] as number)}"`;
        out.push(`${this.name}_bucket${labelText(this.labelNames, values, le)} ${formatGoFloat(cum[i] as number)}\n`);
      }
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${formatGoFloat(child.count)}\n`);
      out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatGoFloat(child.sum)}\n`);
      out.push(`${this.name}_count${labelText(this.labelNames, values)} ${formatGoFloat(child.count)}\n`);
    }
  }
}

/**
 * A set of collectors rendered together as one text 0.0.4 exposition. Names must be unique.
 * No globals: each component creates its metrics on the registry it is given.
 */
export class Registry {
  private readonly collectors = new Map<string, Collector>();

  register<C extends Collector>(c: C): C {
    if (this.collectors.has(c.name)) throw new Error(`metrics: ${c.name} is already registered`);
    this.collectors.set(c.name, c);
    return c;
  }

  counter(opts: MetricOptions & { collect?: (set: (value: number, ...labelValues: string[]) => void) => void }): Counter {
    return this.register(new Counter(opts));
  }
  gauge(opts: MetricOptions & { collect?: (g: Gauge) => void }): Gauge {
    return this.register(new Gauge(opts));
  }
  histogram(opts: MetricOptions & { buckets?: readonly number[] }): Histogram {
    return this.register(new Histogram(opts));
  }

  /** Text format 0.0.4 (`CONTENT_TYPES.text`), families in registration order. */
  render(): string {
    const out: string[] = [];
    for (const c of this.collectors.values()) c.render(out);
    return out.join('');
  }
}
