import type { Labels, MetricFamily, MetricType, Sample } from './types.js';

/** Collects families in order of first appearance; shared by both parsers. */
export class FamilyBuilder {
  readonly byName = new Map<string, MetricFamily>();
  readonly order: MetricFamily[] = [];
  sampleCount = 0;
  /** Samples went to a visitor: families carry metadata only, keep them all. */
  visited = false;

  get(name: string): MetricFamily | undefined {
    return this.byName.get(name);
  }

  create(name: string, type: MetricType | null): MetricFamily {
    const f: MetricFamily = { name, type: type ?? 'untyped', help: null, unit: null, samples: [] };
    this.byName.set(name, f);
    this.order.push(f);
    return f;
  }

  push(f: MetricFamily, name: string, labels: Labels, value: number, timestampMs: Sample['timestampMs']): Sample {
    const s: Sample = { name, labels, value, timestampMs };
    f.samples.push(s);
    this.sampleCount++;
    return s;
  }

  /** Families with at least one sample (metadata-only families are dropped, as expfmt does). */
  result(keepEmpty = false): MetricFamily[] {
    return keepEmpty ? this.order : this.order.filter((f) => f.samples.length > 0 || this.visited);
  }
}
