import type { Labels } from '../exposition/index.js';
import { goToLower, goToUpper } from './case-mapping.js';
import { parseRelabelRules, type RelabelRule } from './config.js';
import { compileTemplate, expandTemplate, type Template } from './expand.js';
import { hashmod } from './hashmod.js';
import { LabelBuilder, sortedCopy } from './label-builder.js';
import { isValidLabelName, type NameValidation } from './label-name.js';

export interface RelabelOptions {
  /**
   * How target label names are validated: `utf8` (Prometheus 3's default: any non-empty UTF-8
   * name) or `legacy` (`[a-zA-Z_][a-zA-Z0-9_]*`). Default `utf8`.
   */
  nameValidation?: NameValidation;
}

/** A compiled list of relabel rules. Compile once per config; `process` is the hot path. */
export interface RelabelChain {
  /** No rules: `process` only sorts and drops empty-valued labels. */
  readonly isEmpty: boolean;
  readonly length: number;
  /**
   * Every rule is keep/drop/keepequal/dropequal: the chain never changes a label set, it only
   * decides whether to keep it.
   */
  readonly onlyFilters: boolean;
  /**
   * The label names the chain reads, or null when some rule looks at all labels
   * (labelmap/labeldrop/labelkeep). Whether a label set is dropped, and every value the rules
   * write, depend only on these labels (the output still carries all the others).
   */
  readonly readsLabels: readonly string[] | null;
  readonly rules: readonly RelabelRule[];
  /**
   * Applies the rules in order, as Prometheus's `relabel.Process`. `labels` is a flat
   * `[n0, v0, n1, v1, …]` array in any order and is not modified. Returns a new array sorted by
   * name (byte order) without empty-valued labels, or null when a rule dropped the label set.
   */
  process(labels: Labels): Labels | null;
}

/**
 * Parses, validates and compiles `rules` (the parsed YAML list of `relabel_configs` /
 * `metric_relabel_configs`, with Prometheus's snake_case keys).
 * @throws RelabelConfigError naming the rule index and field, prefixed with `where` if given.
 */
export function compileRelabelConfigs(rules: unknown, where?: string, options: RelabelOptions = {}): RelabelChain {
  const scheme = options.nameValidation ?? 'utf8';
  const parsed = parseRelabelRules(rules, where, scheme);
  return new Chain(
    parsed,
    parsed.map((r) => compileStep(r, scheme)),
  );
}

const Op = {
  Replace: 0,
  Keep: 1,
  Drop: 2,
  KeepEqual: 3,
  DropEqual: 4,
  HashMod: 5,
  LabelMap: 6,
  LabelDrop: 7,
  LabelKeep: 8,
  Lowercase: 9,
  Uppercase: 10,
} as const;
type Op = (typeof Op)[keyof typeof Op];

const OPS: Record<RelabelRule['action'], Op> = {
  replace: Op.Replace,
  keep: Op.Keep,
  drop: Op.Drop,
  keepequal: Op.KeepEqual,
  dropequal: Op.DropEqual,
  hashmod: Op.HashMod,
  labelmap: Op.LabelMap,
  labeldrop: Op.LabelDrop,
  labelkeep: Op.LabelKeep,
  lowercase: Op.Lowercase,
  uppercase: Op.Uppercase,
};

interface Step {
  op: Op;
  rule: RelabelRule;
  sources: readonly string[];
  target: Template;
  replacement: Template;
  valid: (name: string) => boolean;
}

function compileStep(rule: RelabelRule, scheme: NameValidation): Step {
  const { groupCount, namedGroups } = rule.regex;
  const target = compileTemplate(rule.targetLabel, groupCount, namedGroups);
  const replacement = compileTemplate(rule.replacement, groupCount, namedGroups);
  return {
    op: OPS[rule.action],
    rule,
    sources: rule.sourceLabels ?? [],
    target,
    replacement,
    // A target without group references is checked once here, not per sample.
    valid:
      target.literal !== null
        ? isValidLabelName(target.literal, scheme)
          ? () => true
          : () => false
        : (name) => isValidLabelName(name, scheme),
  };
}

const FILTER_OPS = new Set<Op>([Op.Keep, Op.Drop, Op.KeepEqual, Op.DropEqual]);
const WHOLE_SET_OPS = new Set<Op>([Op.LabelMap, Op.LabelDrop, Op.LabelKeep]);

class Chain implements RelabelChain {
  readonly isEmpty: boolean;
  readonly length: number;
  readonly onlyFilters: boolean;
  readonly readsLabels: readonly string[] | null;
  private readonly builder = new LabelBuilder();

  constructor(
    readonly rules: readonly RelabelRule[],
    private readonly steps: readonly Step[],
  ) {
    this.isEmpty = steps.length === 0;
    this.length = steps.length;
    this.onlyFilters = steps.every((s) => FILTER_OPS.has(s.op));
    if (steps.some((s) => WHOLE_SET_OPS.has(s.op))) this.readsLabels = null;
    else {
      const names = new Set<string>();
      for (const s of steps) {
        for (const n of s.sources) names.add(n);
        if (s.op === Op.KeepEqual || s.op === Op.DropEqual) names.add(s.rule.targetLabel);
      }
      this.readsLabels = [...names];
    }
  }

  process(labels: Labels): Labels | null {
    if (this.onlyFilters) return this.filter(labels);
    const b = this.builder;
    b.reset(labels);
    return this.applyTo(b) ? b.toLabels() : null;
  }

  applyTo(b: LabelBuilder): boolean {
    for (const step of this.steps) if (!applyStep(step, b)) return false;
    return true;
  }

  // Filters read labels but never write them: no builder, the input is read in place.
  private filter(labels: Labels): Labels | null {
    for (const step of this.steps) {
      const val = inputSourceValue(step, labels);
      switch (step.op) {
        case Op.Keep:
          if (!step.rule.regex.test(val)) return null;
          break;
        case Op.Drop:
          if (step.rule.regex.test(val)) return null;
          break;
        case Op.KeepEqual:
          if (lookup(labels, step.rule.targetLabel) !== val) return null;
          break;
        default:
          if (lookup(labels, step.rule.targetLabel) === val) return null;
      }
    }
    let hasEmpty = false;
    for (let i = 1; i < labels.length; i += 2) if (labels[i] === '') hasEmpty = true;
    const sorted = sortedCopy(labels);
    if (!hasEmpty) return sorted;
    const out: string[] = [];
    for (let i = 0; i < sorted.length; i += 2) if (sorted[i + 1] !== '') out.push(sorted[i] as string, sorted[i + 1] as string);
    return out;
  }
}

/**
 * Runs `chain` on a builder that already holds labels (Prometheus's `ProcessBuilder`): target
 * relabeling continues on the builder the discovered labels were set on, which decides the order
 * `labelmap` visits them in.
 */
export function applyChainToBuilder(chain: RelabelChain, b: LabelBuilder): boolean {
  if (!(chain instanceof Chain)) throw new TypeError('not a chain from compileRelabelConfigs');
  return chain.applyTo(b);
}

/** First value of `name` in an unsorted flat array ("" when absent), as the builder's `get`. */
function lookup(labels: Labels, name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1] as string;
  return '';
}

// Two copies of the same join, so neither allocates a getter closure per call.
function inputSourceValue(step: Step, labels: Labels): string {
  const sources = step.sources;
  if (sources.length === 1) return lookup(labels, sources[0] as string);
  if (sources.length === 0) return '';
  let val = lookup(labels, sources[0] as string);
  for (let i = 1; i < sources.length; i++) val += step.rule.separator + lookup(labels, sources[i] as string);
  return val;
}

function builderSourceValue(step: Step, b: LabelBuilder): string {
  const sources = step.sources;
  if (sources.length === 1) return b.get(sources[0] as string);
  if (sources.length === 0) return '';
  let val = b.get(sources[0] as string);
  for (let i = 1; i < sources.length; i++) val += step.rule.separator + b.get(sources[i] as string);
  return val;
}

function applyStep(step: Step, b: LabelBuilder): boolean {
  const rule = step.rule;
  const val = builderSourceValue(step, b);
  switch (step.op) {
    case Op.Drop:
      return !rule.regex.test(val);
    case Op.Keep:
      return rule.regex.test(val);
    case Op.DropEqual:
      return b.get(rule.targetLabel) !== val;
    case Op.KeepEqual:
      return b.get(rule.targetLabel) === val;
    case Op.Replace: {
      const groups = rule.regex.match(val);
      if (groups === null) return true; // no match: no replacement
      const target = expandTemplate(step.target, groups);
      if (!step.valid(target)) return true;
      b.set(target, expandTemplate(step.replacement, groups)); // "" deletes
      return true;
    }
    case Op.Lowercase:
      b.set(rule.targetLabel, goToLower(val));
      return true;
    case Op.Uppercase:
      b.set(rule.targetLabel, goToUpper(val));
      return true;
    case Op.HashMod:
      b.set(rule.targetLabel, hashmod(val, rule.modulus));
      return true;
    case Op.LabelMap: {
      // MatchString, then ReplaceAllString as Prometheus; it does not validate the new name.
      const labels = b.snapshot();
      for (let i = 0; i < labels.length; i += 2) {
        const name = labels[i] as string;
        if (rule.regex.test(name)) b.set(rule.regex.replaceAll(name, step.replacement), labels[i + 1] as string);
      }
      return true;
    }
    case Op.LabelDrop:
    case Op.LabelKeep: {
      const keepMatching = step.op === Op.LabelKeep;
      const labels = b.snapshot();
      for (let i = 0; i < labels.length; i += 2) {
        const name = labels[i] as string;
        if (rule.regex.test(name) !== keepMatching) b.delete(name);
      }
      return true;
    }
  }
}
