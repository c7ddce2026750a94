import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNationalId } from '../national-id.ts';
import { decide, defaultDecisionRules } from './decision-rules.ts';
import { defaultModel } from './fellegi-sunter.ts';
import { comparePair } from './match-pair.ts';
import type { PersonRecord } from './person-record.ts';

const home = { village: 'Kigarama', cell: 'Rubona', sector: 'Kimironko', district: 'Gasabo' };
const nid = (year: number, sex: 'male' | 'female', sequence: number) => makeNationalId({ status: 'citizen', birthYear: year, sex, sequence, issue: 0 });

function person(p: Partial<PersonRecord>): PersonRecord {
  return { id: 'x', given: [], family: [], phones: [], nationalIds: [], otherIds: [], ...p };
}

const claudine = person({
  id: 'a', given: ['Claudine'], family: ['Uwimana'], birthDate: '1987-04-12', sex: 'female',
  phones: ['0788123456'], nationalIds: [nid(1987, 'female', 4455667)], ...home,
});

function decideFor(a: PersonRecord, b: PersonRecord) {
  const c = comparePair(a, b, defaultModel);
  return { ...decide(c, defaultDecisionRules), score: c.score, c };
}

test('the same person written by another facility, without national ID, with spelling errors: link', () => {
  const d = decideFor(claudine, person({ id: 'b', given: ['CLODINE'], family: ['Uwimanna'], birthDate: '1987-04-12', sex: 'female', phones: ['+250 788 123 456'], ...home }));
  assert.equal(d.decision, 'link', `score ${d.score}`);
  assert.equal(d.grade, 'certain');
});

test('swapped given and family names, year-only birth date, no phone: still link', () => {
  const d = decideFor(claudine, person({ id: 'b', given: ['UWIMANA'], family: ['Claudine'], birthDate: '1987', sex: 'female', nationalIds: [claudine.nationalIds[0]] }));
  assert.equal(d.decision, 'link');
  assert.equal(d.c.facts?.namesSwapped, true);
  const noId = decideFor(claudine, person({ id: 'c', given: ['Uwimana'], family: ['Claudine'], birthDate: '1987', sex: 'female', phones: ['0788123456'], ...home }));
  assert.notEqual(noId.decision, 'new', `score ${noId.score}`);
});

test('same national ID, same person: deterministic link', () => {
  const d = decideFor(claudine, person({ id: 'b', given: ['Claudine'], family: ['Uwimana'], birthDate: '1987', nationalIds: [claudine.nationalIds[0]] }));
  assert.deepEqual([d.decision, d.grade, d.rule], ['link', 'certain', 'same-national-id']);
});

test('same national ID on a clearly different person (data-entry error): review, not link', () => {
  const d = decideFor(claudine, person({ id: 'b', given: ['Emmanuel'], family: ['Habimana'], birthDate: '1961-01-02', sex: 'male', nationalIds: [claudine.nationalIds[0]] }));
  assert.deepEqual([d.decision, d.rule], ['review', 'national-id-conflict']);
});

test('national ID with one wrong digit, everything else agreeing: link or review, never new', () => {
  const id = claudine.nationalIds[0];
  const typo = id.slice(0, 10) + String((Number(id[10]) + 3) % 10) + id.slice(11);
  const full = decideFor(claudine, person({ ...claudine, id: 'b', nationalIds: [typo] }));
  assert.equal(full.decision, 'link');
  // little else to go on: only names and birth year agree
  const sparse = decideFor(claudine, person({ id: 'c', given: ['Claudine'], family: ['Uwimana'], birthDate: '1987', nationalIds: [typo] }));
  assert.notEqual(sparse.decision, 'new', `score ${sparse.score}`);
  // whereas an unrelated ID with the same sparse data is evidence against
  const other = decideFor(claudine, person({ id: 'd', given: ['Claudine'], family: ['Uwimana'], birthDate: '1987', nationalIds: [nid(1987, 'female', 1112223)] }));
  assert.equal(other.decision, 'new', `score ${other.score}`);
});

test('twins: same birth date, same household phone and village, different given names: not linked', () => {
  const twinA = person({ id: 'a', given: ['Eric'], family: ['Mugisha'], birthDate: '2015-08-20', sex: 'male', phones: ['0788123456'], ...home });
  const twinB = person({ id: 'b', given: ['Patrick'], family: ['Mugisha'], birthDate: '2015-08-20', sex: 'male', phones: ['0788123456'], ...home });
  const d = decideFor(twinA, twinB);
  assert.deepEqual([d.decision, d.rule], ['new', 'twins']);
  // a misspelt given name of ONE child is not a twin
  const same = decideFor(twinA, person({ ...twinA, id: 'c', given: ['Erik'] }));
  assert.equal(same.decision, 'link');
});

test('parent and child: shared phone and village, birth years 14 or more apart: not linked', () => {
  const mother = person({ id: 'a', given: ['Marie Claire'], family: ['Mukamana'], birthDate: '1985', sex: 'female', phones: ['0788123456'], ...home });
  const daughter = person({ id: 'b', given: ['Marie Claire'], family: ['Ishimwe'], birthDate: '2010-02-01', sex: 'female', phones: ['0788123456'], ...home });
  const d = decideFor(mother, daughter);
  assert.deepEqual([d.decision, d.rule], ['new', 'parent-child']);
});

test('field comparisons explain the score: weights add up and show both values', () => {
  const c = comparePair(claudine, person({ id: 'b', given: ['Claudine'], family: ['Uwimana'], phones: [] }), defaultModel);
  const sum = c.fields.reduce((s, f) => s + f.weight, 0);
  assert.ok(Math.abs(sum - c.score) < 1e-9);
  const given = c.fields.find((f) => f.field === 'given');
  assert.deepEqual(given && [given.level, given.a, given.b], ['exact', 'Claudine', 'Claudine']);
  assert.equal(c.fields.find((f) => f.field === 'phone')?.level, 'missing');
  assert.equal(c.fields.find((f) => f.field === 'phone')?.weight, 0);
});

test('a missing birth date is read from a valid national ID: a namesake born 20 years apart is not linked', () => {
  const withId = person({ id: 'a', given: ['Jean'], family: ['Uwimuremyi'], sex: 'male', nationalIds: [nid(2008, 'male', 4108621)] });
  const namesake = person({ id: 'b', given: ['Jean'], family: ['Uwimuremyi'], birthDate: '1987-10-25', sex: 'male' });
  const c = comparePair(withId, namesake, defaultModel);
  assert.equal(c.fields.find((f) => f.field === 'birthDate')?.level, 'disagree');
  assert.equal(c.facts?.birthYearGap, 21);
  assert.equal(decide(c, defaultDecisionRules).decision, 'new');
  // an ID that fails its check digits is not trusted for the year
  const bad = nid(2008, 'male', 4108621).slice(0, 15) + '9';
  const c2 = comparePair({ ...withId, nationalIds: [bad === nid(2008, 'male', 4108621) ? bad.slice(0, 15) + '8' : bad] }, namesake, defaultModel);
  assert.equal(c2.fields.find((f) => f.field === 'birthDate')?.level, 'missing');
});
