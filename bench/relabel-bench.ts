import { parseExposition } from '../src/exposition/index.js';
import { compileRelabelConfigs } from '../src/relabel/index.js';
import { generateCorpus } from './corpus.js';
import { fmt, timeIt } from './harness.js';

/** A typical metric_relabel_configs chain: one rule of each common kind. */
export const TYPICAL_RULES = [
  {
    source_labels: ['__name__'],
    regex: 'cf_component_gauge_1|cf_component_gauge_7|go_goroutines|process_cpu_seconds_total',
    action: 'drop',
  },
  { regex: 'instance_id|pod_template_hash', action: 'labeldrop' },
  { source_labels: ['handler'], regex: '/api/v(\\d+)/.*', target_label: 'api_version' },
  { regex: '(region|component)', replacement: 'cf_$1', action: 'labelmap' },
  { source_labels: ['__name__'], regex: 'cf_.*', action: 'keep' },
];

/**
 * Samples per second through `relabel.Process`-equivalent processing (no cache), for the typical
 * 5-rule chain and for a filter-only chain (keep/drop on __name__), over the label sets of the
 * benchmark exposition corpus (3–6 labels each, plus __name__).
 */
export async function benchRelabel(report: (line: string) => void): Promise<void> {
  const { body } = generateCorpus(20_000);
  const sets: string[][] = [];
  for (const f of parseExposition(body, { format: 'text' })) for (const s of f.samples) sets.push(['__name__', s.name, ...s.labels]);
  const chains: [string, ReturnType<typeof compileRelabelConfigs>][] = [
    ['typical 5-rule chain (drop by name, labeldrop, replace, labelmap, keep)', compileRelabelConfigs(TYPICAL_RULES)],
    ['filter-only chain (drop by name alternation, keep by prefix)', compileRelabelConfigs([TYPICAL_RULES[0], TYPICAL_RULES[4]])],
    ['empty chain (sort only)', compileRelabelConfigs([])],
  ];
  for (const [name, chain] of chains) {
    let kept = 0;
    const seconds = timeIt(() => {
      kept = 0;
      for (const l of sets) if (chain.process(l) !== null) kept++;
    });
    report(`relabel ${name}: ${fmt(sets.length / seconds / 1e6, 2)} M samples/s (${sets.length} label sets, ${kept} kept)`);
  }
}
