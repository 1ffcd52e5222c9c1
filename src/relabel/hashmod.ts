import { createHash } from 'node:crypto';

/**
 * Prometheus's `hashmod`: the MD5 of the UTF-8 value, its last 8 bytes read as a big-endian
 * uint64, modulo `modulus` (a uint64, > 0), in decimal.
 */
export function hashmod(value: string, modulus: bigint): string {
  const sum = createHash('md5').update(value, 'utf8').digest();
  return (sum.readBigUInt64BE(8) % modulus).toString();
}
