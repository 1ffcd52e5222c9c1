import { CfPromError } from '../errors.js';
import type { ExpositionFormat } from './types.js';

/** The Content-Type an output format is served with. */
export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** What a scraper sends: OpenMetrics first, then text 0.0.4, then anything (as Prometheus does). */
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  order: number;
}

function parseMediaRanges(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  let order = 0;
  for (const part of header.split(',')) {
    const [typePart, ...paramParts] = part.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const pp of paramParts) {
      const eq = pp.indexOf('=');
      if (eq === -1) continue;
      const k = pp.slice(0, eq).trim().toLowerCase();
      const v = pp
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      } else params.set(k, v);
    }
    out.push({ type, params, q, order: order++ });
  }
  return out;
}

/**
 * The exposition format of a scraped body, from its Content-Type: OpenMetrics for
 * `application/openmetrics-text`, else text 0.0.4 — which is also Prometheus's fallback for a
 * missing or unknown type. Protobuf is refused (we never ask for it).
 */
export function formatFromContentType(contentType: string | undefined | null): ExpositionFormat {
  if (!contentType) return 'text';
  // Asked once or twice per body with the same few header values: the last answer is kept.
  if (contentType === lastContentType) return lastFormat;
  const [mr] = parseMediaRanges(contentType);
  let f: ExpositionFormat = 'text';
  if (mr?.type === 'application/openmetrics-text') f = 'openmetrics';
  else if (mr?.type === 'application/vnd.google.protobuf') {
    throw new CfPromError('EXPOSITION_UNSUPPORTED', `protobuf exposition ("${contentType}") is not supported; serve text or OpenMetrics`);
  }
  lastContentType = contentType;
  lastFormat = f;
  return f;
}

let lastContentType = '';
let lastFormat: ExpositionFormat = 'text';

/**
 * The output format for an `Accept` header, as Prometheus client libraries negotiate: the
 * highest-q acceptable media range wins (ties: the more specific one, then the earlier one);
 * OpenMetrics only with a version we write (1.0.0, 0.0.1, or none); text 0.0.4 by default.
 */
export function negotiateFormat(accept: string | undefined | null): ExpositionFormat {
  if (!accept) return 'text';
  const ranges = parseMediaRanges(accept)
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.order - b.order);
  for (const r of ranges) {
    const version = r.params.get('version');
    if (r.type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0' || version === '0.0.1')) {
      return 'openmetrics';
    }
    if (r.type === 'text/plain' && (version === undefined || version === '0.0.4')) return 'text';
    if (r.type === '*/*' || r.type === 'text/*') return 'text';
  }
  return 'text';
}

function specificity(r: MediaRange): number {
  if (r.type === '*/*') return 0;
  if (r.type.endsWith('/*')) return 1;
  return 2 + r.params.size;
}
