import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoFloat } from '../exposition/go-float.js';
import { INVALID, readFloat, readInt64 } from '../exposition/number.js';
import { seededRandom } from '../testing/seeded-random.js';
import { formatValue, textTimestamp } from './render.js';
import { writeTimestampBytes, writeValueBytes } from './value-bytes.js';

/** What the bytes path writes for `text`, or null when it declines. */
function viaBytes(text: string, write = writeValueBytes): string | null {
  const src = Buffer.from(`##${text}##`, 'latin1');
  const out = Buffer.alloc(text.length + 16, 0x3f);
  const end = write(src, 2, 2 + text.length, out, 3);
  return end === -1 ? null : out.toString('latin1', 3, end);
}

function formatted(text: string): string {
  const b = Buffer.from(text, 'latin1');
  const v = readFloat(b, 0, b.length);
  assert.notEqual(v, INVALID, text);
  return formatValue(v as number);
}

test('value bytes: written exactly as formatValue writes the parsed value, or declined', () => {
  const taken = [
    '0',
    '-0',
    '1',
    '-1',
    '42',
    '999999',
    '1000000',
    '1234567',
    '-1234567',
    '100000000000000',
    '123456789012345',
    '1234567.5',
    '0.5',
    '-0.25',
    '0.0001',
    '0.00012',
    '0.00001',
    '0.0000123',
    '-0.000010203',
    '123.456',
    '999999.999999999',
    '1e+06',
    '1.5e+06',
    '-2.25e-05',
    '1e-05',
    '1.23456789012345e+100',
    '1e+300',
    '+Inf',
    '-Inf',
    'NaN',
    '01',
    '-007.50',
    '+1',
    '.5',
    '5.',
    '-.25e1',
    '1.50',
    '0.0',
    '-0.0e5',
    '1e6',
    '1E+6',
    '1.0e+06',
    '12e+06',
    '1e+05',
    '1e-04',
    '1e+006',
    '5.1234e-2',
    '123456.7e1',
    '0.000001',
    '100000000000000000000',
    '0.00000000000000000001',
  ];
  for (const t of taken) assert.equal(viaBytes(t), formatted(t), t);
  const declined = [
    '1e+301',
    '1e-301',
    '1234567890123456',
    '0.1234567890123456',
    '1.234567890123456e+20',
    'Inf',
    '+inf',
    'nan',
    'Infinity',
    '1_000',
    '0x10',
    '1e',
    '1e+',
    '.',
    '-',
    '+',
    '',
    '1.2.3',
    '1e5e5',
    '1e999999',
  ];
  for (const t of declined) assert.equal(viaBytes(t), null, t);
});

test('value bytes: random decimals in many notations agree with formatValue', () => {
  const rand = seededRandom(7).next;
  let taken = 0;
  for (let i = 0; i < 20000; i++) {
    const mag = 10 ** Math.floor(rand() * 40 - 20);
    const v = (rand() - 0.3) * mag;
    const digits = 1 + Math.floor(rand() * 17);
    const forms = [
      String(v),
      formatGoFloat(v),
      v.toPrecision(digits),
      v.toFixed(Math.min(20, Math.floor(rand() * 12))),
      v.toExponential(Math.floor(rand() * 16)),
      v.toExponential(Math.floor(rand() * 16)).toUpperCase(),
      String(Math.round(v)),
      `+${Math.abs(v).toFixed(Math.floor(rand() * 8))}`,
      `00${Math.abs(v).toPrecision(digits)}`,
    ];
    for (const t of forms) {
      const b = Buffer.from(t, 'latin1');
      if (readFloat(b, 0, b.length) === INVALID) continue;
      const got = viaBytes(t);
      if (got === null) continue;
      taken++;
      assert.equal(got, formatted(t), t);
    }
  }
  assert.ok(taken > 80000, `bytes path taken ${taken} times`);
});

test('timestamp bytes: plain integer milliseconds are copied, anything else declined', () => {
  for (const t of ['0', '1700000000000', '-5', '123456789012345']) {
    const b = Buffer.from(t);
    assert.equal(viaBytes(t, writeTimestampBytes), textTimestamp(readInt64(b, 0, b.length) as number), t);
  }
  for (const t of ['-0', '01', '+5', '1234567890123456', '1.5', '', '-']) assert.equal(viaBytes(t, writeTimestampBytes), null, t);
});

test('value bytes: never accepts what readFloat refuses (random strings of number characters)', () => {
  const rand = seededRandom(11).next;
  const alphabet = '0123456789.eE+-0011';
  for (let i = 0; i < 50000; i++) {
    let t = '';
    const len = 1 + Math.floor(rand() * 9);
    for (let k = 0; k < len; k++) t += alphabet[Math.floor(rand() * alphabet.length)];
    const got = viaBytes(t);
    if (got === null) continue;
    const b = Buffer.from(t, 'latin1');
    assert.notEqual(readFloat(b, 0, b.length), INVALID, t);
    assert.equal(got, formatted(t), t);
  }
});
