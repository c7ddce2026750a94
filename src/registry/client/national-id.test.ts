import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatNationalId,
  makeNationalId,
  mod97CheckDigits,
  normalizeNationalId,
  parseNationalId,
  type NationalIdParts,
} from './national-id.ts';

const parts: NationalIdParts = { status: 'citizen', birthYear: 1990, sex: 'male', sequence: 12345, issue: 0 };
const OPTS = { currentYear: 2026 };

/** Replaces character i of s. */
function withChar(s: string, i: number, c: string): string {
  return s.slice(0, i) + c + s.slice(i + 1);
}

describe('mod97CheckDigits (ISO 7064 MOD 97-10)', () => {
  test('matches the IBAN reference computation', () => {
    // IBAN GB82 WEST 1234 5698 7654 32: "WEST12345698765432" + "GB" as digits (W=32 E=14 S=28 T=29,
    // G=16 B=11); the check digits over that string followed by "00" are 82.
    assert.equal(mod97CheckDigits('3214282912345698765432' + '1611'), '82');
  });
  test('always two digits', () => {
    for (const body of ['0', '00000000000000', '99999999999999', '11990800123450']) {
      assert.match(mod97CheckDigits(body), /^[0-9]{2}$/);
    }
  });
});

describe('makeNationalId', () => {
  test('lays out the 16 digits in order', () => {
    const id = makeNationalId(parts);
    assert.equal(id.length, 16);
    assert.equal(id.slice(0, 14), '11990800123450');
    assert.equal(id.slice(14), mod97CheckDigits('11990800123450'));
  });
  test('encodes status and sex digits', () => {
    assert.equal(makeNationalId({ ...parts, status: 'refugee' })[0], '2');
    assert.equal(makeNationalId({ ...parts, status: 'foreigner' })[0], '3');
    assert.equal(makeNationalId({ ...parts, sex: 'female' })[5], '7');
    assert.equal(makeNationalId({ ...parts, sex: 'male' })[5], '8');
  });
  test('round-trips through parseNationalId', () => {
    const cases: NationalIdParts[] = [
      parts,
      { status: 'refugee', birthYear: 1900, sex: 'female', sequence: 0, issue: 9 },
      { status: 'foreigner', birthYear: 2026, sex: 'male', sequence: 9_999_999, issue: 3 },
    ];
    for (const p of cases) assert.deepEqual(parseNationalId(makeNationalId(p), OPTS), { ok: true, value: p });
  });
  test('rejects out-of-range parts', () => {
    assert.throws(() => makeNationalId({ ...parts, birthYear: 1899 }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, birthYear: 1990.5 }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, sequence: 10_000_000 }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, sequence: -1 }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, issue: 10 }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, status: 'tourist' as never }), RangeError);
    assert.throws(() => makeNationalId({ ...parts, sex: 'other' as never }), RangeError);
  });
});

describe('parseNationalId', () => {
  const valid = makeNationalId(parts);

  test('accepts a valid ID and returns its parts', () => {
    assert.deepEqual(parseNationalId(valid, OPTS), { ok: true, value: parts });
  });

  function reasonOf(s: string): string | undefined {
    const r = parseNationalId(s, OPTS);
    return r.ok ? undefined : r.reason;
  }

  test('wrong length', () => {
    assert.equal(reasonOf(''), 'wrong-length');
    assert.equal(reasonOf(valid.slice(0, 15)), 'wrong-length');
    assert.equal(reasonOf(valid + '0'), 'wrong-length');
    assert.equal(reasonOf(formatNationalId(valid)), 'wrong-length');
  });
  test('non-digits', () => {
    assert.equal(reasonOf(withChar(valid, 7, 'a')), 'non-digit');
    assert.equal(reasonOf(withChar(valid, 0, ' ')), 'non-digit');
    assert.equal(reasonOf('１１９９０８００１２３４５０' + valid.slice(14)), 'non-digit'); // full-width digits
  });
  test('bad status', () => {
    for (const d of ['0', '4', '9']) assert.equal(reasonOf(withChar(valid, 0, d)), 'bad-status');
  });
  test('impossible birth year', () => {
    const body = (year: string) => '1' + year + '8' + '0012345' + '0';
    assert.equal(reasonOf(body('1899') + mod97CheckDigits(body('1899'))), 'impossible-birth-year');
    assert.equal(reasonOf(body('0000') + mod97CheckDigits(body('0000'))), 'impossible-birth-year');
    assert.equal(reasonOf(body('2027') + mod97CheckDigits(body('2027'))), 'impossible-birth-year');
    assert.equal(reasonOf(body('2026') + mod97CheckDigits(body('2026'))), undefined);
  });
  test('future birth year defaults to the current clock year', () => {
    const next = new Date().getUTCFullYear() + 1;
    const body = '1' + next + '7' + '0000001' + '0';
    const r = parseNationalId(body + mod97CheckDigits(body));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'impossible-birth-year');
  });
  test('bad sex digit', () => {
    for (const d of ['0', '1', '6', '9']) {
      const body = withChar(valid, 5, d).slice(0, 14);
      assert.equal(reasonOf(body + mod97CheckDigits(body)), 'bad-sex-digit');
    }
  });
  test('bad check digits', () => {
    const good = Number(valid.slice(14));
    const wrong = String((good + 1) % 100).padStart(2, '0');
    assert.equal(reasonOf(valid.slice(0, 14) + wrong), 'bad-check-digits');
  });
  test('check digits catch every single-digit substitution in the sequence and issue', () => {
    for (let i = 6; i < 16; i++) {
      for (let d = 0; d <= 9; d++) {
        const c = String(d);
        if (c === valid[i]) continue;
        assert.equal(reasonOf(withChar(valid, i, c)), 'bad-check-digits', `position ${i} → ${c}`);
      }
    }
  });
  test('check digits catch adjacent transpositions', () => {
    for (let i = 6; i < 15; i++) {
      if (valid[i] === valid[i + 1]) continue;
      const swapped = valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2);
      assert.equal(reasonOf(swapped), 'bad-check-digits', `swap ${i}/${i + 1}`);
    }
  });
  test('failures carry a human-readable message', () => {
    const r = parseNationalId('123', OPTS);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.message.length > 0);
  });
});

describe('normalizeNationalId / formatNationalId', () => {
  test('format then normalize is the identity', () => {
    const id = makeNationalId(parts);
    assert.equal(formatNationalId(id), `1 1990 8 0012345 0 ${id.slice(14)}`);
    assert.equal(normalizeNationalId(formatNationalId(id)), id);
    assert.equal(normalizeNationalId('1-1990-8-0012345-0-' + id.slice(14)), id);
  });
});
