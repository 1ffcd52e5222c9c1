import type { RouteTags } from '../routes/index.js';

/**
 * One `external_exporters` entry, compiled: query values are either literals or templates over
 * the app's route tags. Only `{{.Field}}` actions (Go template syntax, spaces allowed) are
 * supported; anything else fails at load, so rendering never fails at request time.
 */
export interface ExternalExporter {
  readonly name: string;
  /** `host[:port]`; also the `Host` header. */
  readonly host: string;
  readonly scheme: 'http' | 'https';
  readonly metricsPath: string;
  readonly params: Readonly<Record<string, readonly string[]>>;
  /** Compiled form of `params`: per key, per value, literal and field parts. */
  readonly compiled: readonly { key: string; values: readonly (readonly TemplatePart[])[] }[];
}

type TemplatePart = { literal: string } | { field: TemplateField };

/** The Go field names promfetcher's templates see. */
export const TEMPLATE_FIELDS = [
  'AppID',
  'AppName',
  'OrganizationID',
  'OrganizationName',
  'SpaceID',
  'SpaceName',
  'SourceID',
  'ProcessType',
  'Component',
  'InstanceID',
  'ProcessID',
  'ProcessInstanceID',
] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];

function compileTemplate(s: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let pos = 0;
  while (pos < s.length) {
    const open = s.indexOf('{{', pos);
    if (open === -1) {
      parts.push({ literal: s.slice(pos) });
      break;
    }
    if (open > pos) parts.push({ literal: s.slice(pos, open) });
    const close = s.indexOf('}}', open + 2);
    if (close === -1) return `unclosed action "{{" at offset ${open}`;
    const action = s
      .slice(open + 2, close)
      .replace(/^-?\s*/, '')
      .replace(/\s*-?$/, '');
    const m = /^\.([A-Za-z]+)$/.exec(action);
    if (m === null) return `unsupported template action {{${s.slice(open + 2, close)}}}: only {{.Field}} is supported`;
    const field = m[1] as TemplateField;
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field))
      return `unknown field .${field}; known: ${TEMPLATE_FIELDS.map((f) => `.${f}`).join(', ')}`;
    parts.push({ field });
    pos = close + 2;
  }
  return parts;
}

/** Validates and compiles an exporter; returns `"<key>: <reason>"` when invalid. */
export function compileExporter(e: {
  name: string;
  host: string;
  scheme: string;
  metricsPath: string;
  params: Record<string, string[]>;
}): ExternalExporter | string {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(e.host))
    return `host: must be host[:port], got ${JSON.stringify(e.host)}`;
  if (!e.metricsPath.startsWith('/') || /[\s#\\]/.test(e.metricsPath))
    return `metrics_path: must be an absolute path, got ${JSON.stringify(e.metricsPath)}`;
  const compiled: { key: string; values: TemplatePart[][] }[] = [];
  for (const [key, values] of Object.entries(e.params)) {
    const vs: TemplatePart[][] = [];
    for (const [i, v] of values.entries()) {
      const c = compileTemplate(v);
      if (typeof c === 'string') return `params.${key}[${i}]: ${c}`;
      vs.push(c);
    }
    compiled.push({ key, values: vs });
  }
  return { name: e.name, host: e.host, scheme: e.scheme as 'http' | 'https', metricsPath: e.metricsPath, params: e.params, compiled };
}

function fieldValue(tags: RouteTags, f: TemplateField): string {
  switch (f) {
    case 'AppID':
      return tags.app_id ?? '';
    case 'AppName':
      return tags.app_name ?? '';
    case 'OrganizationID':
      return tags.organization_id ?? '';
    case 'OrganizationName':
      return tags.organization_name ?? '';
    case 'SpaceID':
      return tags.space_id ?? '';
    case 'SpaceName':
      return tags.space_name ?? '';
    case 'SourceID':
      return tags.source_id ?? '';
    case 'ProcessType':
      return 'external_exporter';
    case 'Component':
      return 'promfetcher';
    default:
      return '';
  }
}

/** The exporter's URL for one app: its `metrics_path` with the rendered params replacing same-named keys. */
export function exporterUrl(e: ExternalExporter, tags: RouteTags): URL {
  const url = new URL(`${e.scheme}://${e.host}${e.metricsPath}`);
  for (const { key, values } of e.compiled) {
    url.searchParams.delete(key);
    for (const parts of values)
      url.searchParams.append(key, parts.map((p) => ('literal' in p ? p.literal : fieldValue(tags, p.field))).join(''));
  }
  return url;
}
