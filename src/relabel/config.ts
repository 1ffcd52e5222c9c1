import { RE2JS } from 're2js';
import { RelabelConfigError } from './errors.js';
import { isValidLabelName, isWellFormed, type NameValidation } from './label-name.js';
import { compileRelabelRegex, type RelabelRegex } from './regex.js';

export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** One rule with Prometheus's defaults applied and validated. */
export interface RelabelRule {
  /** null when the key was absent or null (Prometheus distinguishes it from `[]`). */
  readonly sourceLabels: readonly string[] | null;
  readonly separator: string;
  readonly regex: RelabelRegex;
  /** True when `regex` was not given (only then does keepequal/dropequal accept it). */
  readonly regexIsDefault: boolean;
  readonly modulus: bigint;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

const FIELDS = ['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action'] as const;
const DEFAULT_SEPARATOR = ';';
const DEFAULT_REPLACEMENT = '$1';
const UINT64_MAX = (1n << 64n) - 1n;

let defaultRegex: RelabelRegex | undefined;

// Prometheus's check for a legacy target label with `$var` / `${var}` references. Run with RE2:
// its nested repetition would backtrack exponentially in a JavaScript RegExp.
const LEGACY_NAME_TEMPLATE = RE2JS.compile('^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$');

/**
 * Reads and validates a parsed YAML list of relabel rules as Prometheus's `relabel.Config`
 * `UnmarshalYAML` (strict: unknown keys are errors) and `Validate` do. null → no rules.
 */
export function parseRelabelRules(rules: unknown, where: string | undefined, scheme: NameValidation): RelabelRule[] {
  if (rules === null || rules === undefined) return [];
  if (!Array.isArray(rules)) throw new RelabelConfigError(-1, null, `must be a list of relabel rules, got ${describe(rules)}`, where);
  return rules.map((rule, i) => parseRule(rule, i, where, scheme));
}

function parseRule(raw: unknown, index: number, where: string | undefined, scheme: NameValidation): RelabelRule {
  const fail = (field: string | null, reason: string, cause?: unknown): never => {
    throw new RelabelConfigError(index, field, reason, where, cause === undefined ? undefined : { cause });
  };
  if (raw === null || raw === undefined) fail(null, 'empty or null relabeling rule');
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(null, `must be a mapping of rule fields, got ${describe(raw)}`);
  const obj = raw as Record<string, unknown>;

  let sourceLabels: string[] | null = null;
  let separator = DEFAULT_SEPARATOR;
  let regexSource: string | null = null;
  let regex: RelabelRegex | null = null;
  let modulus = 0n;
  let targetLabel = '';
  let replacement = DEFAULT_REPLACEMENT;
  let action: RelabelAction | '' = 'replace';

  for (const [key, value] of Object.entries(obj)) {
    switch (key) {
      case 'source_labels': {
        if (value === null || value === undefined) {
          sourceLabels = null;
          break;
        }
        if (!Array.isArray(value)) fail(key, `must be a list of label names, got ${describe(value)}`);
        sourceLabels = (value as unknown[]).map((v, k) => {
          const name = scalarString(v);
          if (name === null) return fail(key, `element ${k}: must be a label name, got ${describe(v)}`);
          if (!isValidLabelName(name, 'utf8')) fail(key, `${JSON.stringify(name)} is not a valid label name`);
          return name;
        });
        break;
      }
      case 'separator':
        separator = stringField(value, key, fail);
        break;
      case 'regex': {
        const source = stringField(value, key, fail);
        try {
          regex = compileRelabelRegex(source);
        } catch (err) {
          fail(key, `invalid regular expression ${JSON.stringify(source)}: ${err instanceof Error ? err.message : String(err)}`, err);
        }
        regexSource = source;
        break;
      }
      case 'modulus':
        modulus = modulusField(value, fail);
        break;
      case 'target_label':
        targetLabel = stringField(value, key, fail);
        break;
      case 'replacement':
        replacement = stringField(value, key, fail);
        break;
      case 'action': {
        const s = stringField(value, key, fail);
        if (s === '') {
          action = '';
          break;
        }
        const lower = s.toLowerCase();
        if (!(RELABEL_ACTIONS as readonly string[]).includes(lower)) {
          fail(key, `unknown relabel action ${JSON.stringify(s)}; expected one of ${RELABEL_ACTIONS.join(', ')}`);
        }
        action = lower as RelabelAction;
        break;
      }
      default:
        fail(key, `unknown field; a relabel rule has only ${FIELDS.join(', ')}`);
    }
  }

  if (regex === null) {
    defaultRegex ??= compileRelabelRegex('(.*)');
    regex = defaultRegex;
  }

  // Prometheus's Validate, check for check and in its order.
  if (action === '') return fail('action', 'must not be empty');
  const act: RelabelAction = action;
  const quoted = `"${act}"`;
  if (modulus === 0n && act === 'hashmod') fail('modulus', `must be greater than 0 for action ${quoted}`);
  const needsTarget =
    act === 'replace' || act === 'hashmod' || act === 'lowercase' || act === 'uppercase' || act === 'keepequal' || act === 'dropequal';
  if (needsTarget && targetLabel === '') fail('target_label', `required for action ${quoted}`);
  const nameTemplateOk = (s: string) => (scheme === 'utf8' ? isValidLabelName(s, 'utf8') : LEGACY_NAME_TEMPLATE.test(s));
  const invalidName = (field: string, value: string, what = 'label name') =>
    fail(
      field,
      `${JSON.stringify(value)} is not a valid ${what} for action ${quoted}${scheme === 'legacy' ? ' (legacy name validation)' : ''}`,
    );
  if (act === 'replace') {
    if (!targetLabel.includes('$') ? !isValidLabelName(targetLabel, scheme) : !nameTemplateOk(targetLabel)) {
      invalidName('target_label', targetLabel, 'label name or template');
    }
  }
  const equalOrCase = act === 'lowercase' || act === 'uppercase' || act === 'keepequal' || act === 'dropequal';
  if (equalOrCase && !isValidLabelName(targetLabel, scheme)) invalidName('target_label', targetLabel);
  if (equalOrCase && replacement !== DEFAULT_REPLACEMENT) fail('replacement', `must not be set for action ${quoted}`);
  if (act === 'labelmap' && !nameTemplateOk(replacement)) invalidName('replacement', replacement, 'label name template');
  if (act === 'hashmod' && !isValidLabelName(targetLabel, scheme)) invalidName('target_label', targetLabel);
  if (act === 'keepequal' || act === 'dropequal') {
    const extra = regexSource !== null ? 'regex' : modulus !== 0n ? 'modulus' : separator !== DEFAULT_SEPARATOR ? 'separator' : null;
    if (extra !== null) fail(extra, `must not be set for action ${quoted}: it uses only source_labels and target_label`);
  }
  if (act === 'labeldrop' || act === 'labelkeep') {
    const extra =
      sourceLabels !== null
        ? 'source_labels'
        : targetLabel !== ''
          ? 'target_label'
          : modulus !== 0n
            ? 'modulus'
            : separator !== DEFAULT_SEPARATOR
              ? 'separator'
              : replacement !== DEFAULT_REPLACEMENT
                ? 'replacement'
                : null;
    if (extra !== null) fail(extra, `must not be set for action ${quoted}: it uses only regex`);
  }

  return {
    sourceLabels,
    separator,
    regex,
    regexIsDefault: regexSource === null,
    modulus,
    targetLabel,
    replacement,
    action: act,
  };
}

type Fail = (field: string | null, reason: string, cause?: unknown) => never;

/** A YAML scalar as Go's yaml.v2 decodes it into a string field (null → ""). */
function stringField(value: unknown, key: string, fail: Fail): string {
  if (value === null || value === undefined) return '';
  const s = scalarString(value);
  if (s === null) return fail(key, `must be a string, got ${describe(value)}`);
  if (!isWellFormed(s)) fail(key, 'is not valid UTF-8');
  return s;
}

function scalarString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return null;
}

function modulusField(value: unknown, fail: Fail): bigint {
  if (value === null || value === undefined) return 0n;
  let n: bigint | null = null;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  if (n === null || n < 0n || n > UINT64_MAX) return fail('modulus', `must be an unsigned 64-bit integer, got ${describe(value)}`);
  return n;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
