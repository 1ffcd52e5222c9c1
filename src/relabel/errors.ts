import { CfPromError } from '../errors.js';

/**
 * An invalid relabel rule list. `ruleIndex` is the 0-based rule (-1 when the list itself is wrong),
 * `field` the YAML key at fault (null when the rule as a whole is wrong).
 */
export class RelabelConfigError extends CfPromError {
  constructor(
    readonly ruleIndex: number,
    readonly field: string | null,
    readonly reason: string,
    where?: string,
    options?: ErrorOptions,
  ) {
    super('RELABEL_CONFIG', formatLocation(ruleIndex, field, where) + reason, options);
  }
}

// Without `where`: "relabel rule 2: field target_label: …". With it, a config path:
// "scrape.yml: scrape_configs[0].metric_relabel_configs[2].target_label: …".
function formatLocation(ruleIndex: number, field: string | null, where: string | undefined): string {
  if (where === undefined || where === '') {
    if (ruleIndex < 0) return 'relabel rules: ';
    return `relabel rule ${ruleIndex}: ${field === null ? '' : `field ${field}: `}`;
  }
  if (ruleIndex < 0) return `${where}: `;
  return `${where}[${ruleIndex}]${field === null ? '' : `.${field}`}: `;
}
