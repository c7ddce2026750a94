import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNationalId } from '../national-id.ts';
import { blockingKeys, candidatePairs } from './blocking-keys.ts';
import type { PersonRecord } from './person-record.ts';
import { generateSyntheticPeople } from './synthetic-people.ts';

function person(p: Partial<PersonRecord>): PersonRecord {
  return { id: 'x', given: [], family: [], phones: [], nationalIds: [], otherIds: [], ...p };
}
const shareKey = (a: PersonRecord, b: PersonRecord) => blockingKeys(a).some((k) => blockingKeys(b).includes(k));

test('a one-digit national ID typo anywhere still shares a key', () => {
  const id = makeNationalId({ status: 'citizen', birthYear: 1990, sex: 'male', sequence: 1234567, issue: 0 });
  const a = person({ nationalIds: [id] });
  for (let i = 0; i < 16; i++) {
    const typo = id.slice(0, i) + String((Number(id[i]) + 5) % 10) + id.slice(i + 1);
    assert.ok(shareKey(a, person({ nationalIds: [typo] })), `typo at digit ${i}`);
  }
  const other = makeNationalId({ status: 'citizen', birthYear: 1991, sex: 'female', sequence: 7654321, issue: 0 });
  assert.ok(!shareKey(a, person({ nationalIds: [other] })));
});

test('swapped, merged and respelt names share a key with the birth year', () => {
  const a = person({ given: ['Jean Baptiste'], family: ['Uwimana'], birthDate: '1980-01-02' });
  assert.ok(shareKey(a, person({ given: ['UWIMANNA'], family: ['Jeanbaptiste'], birthDate: '1980' })));
  assert.ok(shareKey(a, person({ given: ['J. Baptiste'], family: ['Uwimana'], birthDate: '1980' })));
  assert.ok(!shareKey(a, person({ given: ['Jean Baptiste'], family: ['Uwimana'], birthDate: '1981' })), 'no place, other year: no shared key');
});

test('a phone in any format is one key; keys are few', () => {
  const a = person({ given: ['Aline'], family: ['Ingabire'], phones: ['0788 123 456'], birthDate: '1999-05-06', village: 'Kigarama', cell: 'Rubona', sector: 'Kimironko', district: 'Gasabo' });
  assert.ok(blockingKeys(a).includes('tel:+250788123456'));
  assert.ok(shareKey(a, person({ phones: ['+250788123456'] })));
  assert.ok(blockingKeys(a).length <= 12, String(blockingKeys(a).length));
});

test('pairs completeness on a small generated set is high and blocks stay small', () => {
  const data = generateSyntheticPeople({ people: 3000, seed: 5 });
  const { pairs, blocks } = candidatePairs(data.records);
  const person = data.records.map((r) => data.truth.get(r.id));
  const counts = new Map<string, number>();
  for (const p of person) counts.set(p!, (counts.get(p!) ?? 0) + 1);
  let truePairs = 0;
  for (const k of counts.values()) truePairs += (k * (k - 1)) / 2;
  const found = pairs.filter(([i, j]) => person[i] === person[j]).length;
  const completeness = found / truePairs;
  assert.ok(truePairs > 1000);
  assert.ok(completeness > 0.97, `pairs completeness ${completeness}`);
  const n = data.records.length;
  assert.ok(pairs.length < 0.005 * (n * (n - 1)) / 2, `reduction: ${pairs.length} pairs`);
  const largest = Math.max(...[...blocks.values()].map((b) => b.length));
  assert.ok(largest < 40, `largest block ${largest}`);
});
