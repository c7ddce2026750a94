import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModel } from './fellegi-sunter.ts';
import { comparePair } from './match-pair.ts';
import type { PersonRecord } from './person-record.ts';
import { estimateNameFrequencies, nameCode, termU } from './term-frequency.ts';

function person(id: string, given: string, family: string): PersonRecord {
  return { id, given: [given], family: [family], phones: [], nationalIds: [], otherIds: [], birthDate: '1990' };
}

test('agreeing on a common name weighs less than agreeing on a rare one', () => {
  const population: PersonRecord[] = [];
  for (let i = 0; i < 200; i++) population.push(person(`c${i}`, 'Jean', `Fam${String.fromCharCode(97 + (i % 26))}${i}`));
  population.push(person('r', 'Apollinaire', 'Uzabakiriho'));
  const freq = estimateNameFrequencies(population);
  assert.ok(Math.abs(termU(freq, 'given', 'jean')! - 200 / 201) < 1e-9);
  assert.equal(termU(freq, 'given', 'nobody'), undefined);
  assert.equal(termU(freq, 'family', nameCode(['Uzabakiriho'])), 1 / 201);

  const model = { ...defaultModel, nameFrequencies: freq };
  const given = (a: PersonRecord, b: PersonRecord) => comparePair(a, b, model).fields.find((f) => f.field === 'given')!.weight;
  const common = given(person('x', 'Jean', 'A'), person('y', 'JEAN', 'B'));
  const rare = given(person('x', 'Apollinaire', 'A'), person('y', 'Apollinaire', 'B'));
  assert.ok(common < 0.5, `common ${common}`);
  assert.ok(rare > common + 5, `rare ${rare} vs common ${common}`);
  // without frequencies both get the model's average weight
  const plain = comparePair(person('x', 'Jean', 'A'), person('y', 'JEAN', 'B'), defaultModel).fields.find((f) => f.field === 'given')!.weight;
  assert.ok(plain > 5);
});
