/**
 * Go's `Regexp.Expand` for replacement templates, compiled once against a regex's groups.
 *
 * `$$` is a literal `$`; `$name` / `${name}` take the longest run of letters, digits and `_`
 * (so `$1x` is the group named `1x`); a run of ASCII digits without a leading zero is a group
 * number; an unknown group or one that did not participate expands to nothing; a `$` not
 * followed by a valid reference is kept as is.
 */

/** A template: literal text and group indexes, in order. */
export interface Template {
  readonly parts: readonly (string | number)[];
  /** The whole template when it has no group reference (after `$$` folding). */
  readonly literal: string | null;
  /** Highest group index referenced, -1 when none. */
  readonly maxGroup: number;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

export function compileTemplate(template: string, groupCount: number, namedGroups: Readonly<Record<string, number>>): Template {
  const parts: (string | number)[] = [];
  let text = '';
  let maxGroup = -1;
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    text += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      text += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractReference(rest);
    if (ref === null) {
      text += '$';
      continue;
    }
    rest = ref.rest;
    let index = ref.num;
    if (index < 0) index = Object.hasOwn(namedGroups, ref.name) ? (namedGroups[ref.name] as number) : -1;
    if (index < 0 || index > groupCount) continue; // expands to nothing
    if (text !== '') parts.push(text);
    text = '';
    parts.push(index);
    if (index > maxGroup) maxGroup = index;
  }
  text += rest;
  if (text !== '') parts.push(text);
  return { parts, literal: maxGroup < 0 ? ((parts[0] as string | undefined) ?? '') : null, maxGroup };
}

/** Expands `t` with `groups[i]` = text of group i (null or missing when it did not participate). */
export function expandTemplate(t: Template, groups: readonly (string | null | undefined)[]): string {
  if (t.literal !== null) return t.literal;
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') out += p;
    else out += groups[p] ?? '';
  }
  return out;
}

// Go's `extract`: the `$` is already consumed.
function extractReference(s: string): { name: string; num: number; rest: string } | null {
  if (s === '') return null;
  let i = 0;
  const brace = s.charCodeAt(0) === 0x7b; // {
  if (brace) i = 1;
  const start = i;
  while (i < s.length) {
    const cp = s.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === start) return null;
  const name = s.slice(start, i);
  if (brace) {
    if (i >= s.length || s.charCodeAt(i) !== 0x7d) return null; // missing }
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 0x30);
  }
  if (name.charCodeAt(0) === 0x30 && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}
