import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameBytes } from './bytes.js';

test('sameBytes compares byte for byte, also where words read as 0, -0 or NaN', () => {
  const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const zero = Buffer.alloc(8);
  const negZero = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]);
  const nan = Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
  assert.equal(sameBytes(view(zero), 0, view(negZero), 0, 8), false);
  assert.equal(sameBytes(view(negZero), 0, view(zero), 0, 8), false);
  assert.equal(sameBytes(view(zero), 0, view(Buffer.alloc(8)), 0, 8), true);
  assert.equal(sameBytes(view(nan), 0, view(Buffer.from(nan)), 0, 8), true);
  assert.equal(sameBytes(view(nan), 0, view(Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0xff])), 0, 8), false);
  // Against Buffer.compare: every length and offset, with one byte changed anywhere or none.
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const a = Buffer.alloc(64);
  for (let i = 0; i < a.length; i++) a[i] = rnd() % 4 === 0 ? 0 : rnd() & 0xff;
  for (let len = 0; len <= 40; len++)
    for (let as = 0; as < 8; as++)
      for (let flip = -1; flip < len; flip++) {
        const b = Buffer.alloc(64);
        const bs = (as * 3) % 8;
        a.copy(b, bs, as, as + len);
        if (flip >= 0) b[bs + flip] = (b[bs + flip] as number) ^ (1 << (rnd() % 8));
        const want = a.compare(b, bs, bs + len, as, as + len) === 0;
        assert.equal(sameBytes(view(a), as, view(b), bs, len), want, `len ${len} at ${as}/${bs}, flip ${flip}`);
      }
});
