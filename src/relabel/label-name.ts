/**
 * Label-name rules shared by validation and processing.
 *
 * Prometheus 3 validates names with the `utf8` scheme by default (any non-empty, well-formed
 * UTF-8 string); `legacy` is the old `[a-zA-Z_][a-zA-Z0-9_]*`.
 */
export type NameValidation = 'utf8' | 'legacy';

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// In a `u` regexp a paired surrogate is one code point, so only lone surrogates are \p{Cs}:
// exactly the strings that cannot be encoded as UTF-8.
const LONE_SURROGATE = /\p{Cs}/u;

/** Go's `utf8.ValidString` for a JS string: no lone surrogates. */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if ((s.charCodeAt(i) & 0xf800) === 0xd800) return !LONE_SURROGATE.test(s); // some surrogate: check pairing
  }
  return true;
}

export function isValidLabelName(name: string, scheme: NameValidation): boolean {
  if (name.length === 0) return false;
  return scheme === 'legacy' ? LEGACY_NAME.test(name) : isWellFormed(name);
}

/**
 * Orders label names as Go's `strings.Compare` does on their UTF-8 bytes (= code point order).
 * UTF-16 order differs only between a surrogate and a unit in U+E000–U+FFFF, fixed up here.
 */
export function compareLabelNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
}
