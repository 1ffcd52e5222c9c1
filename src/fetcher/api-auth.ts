import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Checks an `Authorization` header against configured basic-auth users and bearer tokens in
 * constant time per candidate (hashes compared, so lengths do not leak).
 */
export function makeAuthCheck(auth: {
  basic: readonly { user: string; pass: string }[];
  bearerTokens: readonly string[];
}): (header: string | undefined) => boolean {
  const basics = auth.basic.map((b) => digest(`Basic ${Buffer.from(`${b.user}:${b.pass}`).toString('base64')}`));
  const bearers = auth.bearerTokens.map((t) => digest(`Bearer ${t}`));
  const all = [...basics, ...bearers];
  return (header) => {
    if (header === undefined) return false;
    const scheme = header.slice(0, header.indexOf(' ') + 1).toLowerCase();
    const normalised =
      scheme === 'basic ' ? `Basic ${header.slice(6).trim()}` : scheme === 'bearer ' ? `Bearer ${header.slice(7).trim()}` : header;
    const d = digest(normalised);
    let ok = false;
    for (const c of all) if (timingSafeEqual(c, d)) ok = true;
    return ok;
  };
}
