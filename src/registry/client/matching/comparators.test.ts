import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareAddresses,
  compareBirthDates,
  compareNameParts,
  compareNames,
  compareNationalIds,
  comparePhones,
  compareSex,
  withinOneEdit,
} from './comparators.ts';
import { makeNationalId } from '../national-id.ts';
import type { PersonRecord } from './person-record.ts';

function person(p: Partial<PersonRecord>): PersonRecord {
  return { id: 'x', given: [], family: [], phones: [], nationalIds: [], otherIds: [], ...p };
}

test('name parts: exact through accents, case, hyphens and merged compounds', () => {
  assert.equal(compareNameParts(['Jean Baptiste'], ['Jean-Baptiste']), 'exact');
  assert.equal(compareNameParts(['Jean Baptiste'], ['JEANBAPTISTE']), 'exact');
  assert.equal(compareNameParts(['Théogène'], ['THEOGENE']), 'exact');
  assert.equal(compareNameParts(['Marie', 'Claire'], ['Claire', 'Marie']), 'exact');
});

test('name parts: phonetic, close, partial and disagree', () => {
  assert.equal(compareNameParts(['Uwimana'], ['Uwimanna']), 'phonetic');
  assert.equal(compareNameParts(['Kalisa'], ['Karisa']), 'phonetic');
  assert.equal(compareNameParts(['Niyonsaba'], ['Niyonsana']), 'close'); // one-letter typo
  assert.equal(compareNameParts(['Ingabire'], ['Ingabrie']), 'close'); // swapped letters
  assert.equal(compareNameParts(['J. Baptiste'], ['Jean Baptiste']), 'partial'); // initial
  assert.equal(compareNameParts(['Marie Claire'], ['Marie']), 'partial'); // one name dropped
  assert.equal(compareNameParts(['Jeanbaptiste'], ['Jean Baptiste Ntwari']), 'partial'); // merged + extra
  assert.equal(compareNameParts(['Niyonsaba'], ['Niyonsenga']), 'disagree'); // different people
  assert.equal(compareNameParts(['Nsabimana'], ['Nsanzimana']), 'disagree');
  assert.equal(compareNameParts([], ['Uwase']), undefined);
});

test('withinOneEdit counts an adjacent swap as one edit', () => {
  assert.ok(withinOneEdit('uwase', 'uwsae'));
  assert.ok(withinOneEdit('uwase', 'uwas'));
  assert.ok(!withinOneEdit('uwase', 'uwera'));
});

test('given and family names swapped compare as agreeing', () => {
  const a = person({ given: ['Jean de Dieu'], family: ['Habimana'] });
  const b = person({ given: ['HABIMANA'], family: ['Jean-de-Dieu'] });
  const c = compareNames(a, b);
  assert.deepEqual([c.given, c.family, c.swapped], ['exact', 'exact', true]);
});

test('a second name filed as given on one side and family on the other is the same name', () => {
  const a = person({ given: ['Sandrine'], family: ['Mbonyiremye Twizerimana'] });
  const b = person({ given: ['Sandrine Twizerimana'], family: ['MBONYIREMYE'] });
  const c = compareNames(a, b);
  assert.equal(c.given, 'exact');
  assert.equal(c.family, 'exact');
});

test('birth dates: partial agreement for year-only, transposed day and month', () => {
  assert.equal(compareBirthDates('1984-03-12', '1984-03-12'), 'exact');
  assert.equal(compareBirthDates('1984-03-12', '1984-12-03'), 'transposed');
  assert.equal(compareBirthDates('1984', '1984-12-03'), 'year');
  assert.equal(compareBirthDates('1984-03', '1984-03-12'), 'year-month');
  assert.equal(compareBirthDates('1984-03-01', '1984-03-12'), 'year-month');
  assert.equal(compareBirthDates('1984-05-01', '1984-03-12'), 'other-date');
  assert.equal(compareBirthDates('1985', '1984-03-12'), 'year-off-by-one');
  assert.equal(compareBirthDates('1990', '1984-03-12'), 'disagree');
  assert.equal(compareBirthDates(undefined, '1984'), undefined);
});

test('phones normalise before comparing; one wrong digit is a typo', () => {
  const a = person({ phones: ['0788 123 456'] });
  assert.equal(comparePhones(a, person({ phones: ['+250788123456'] })), 'exact');
  assert.equal(comparePhones(a, person({ phones: ['250788123457'] })), 'typo');
  assert.equal(comparePhones(a, person({ phones: ['0722000000'] })), 'disagree');
  assert.equal(comparePhones(a, person({ phones: ['not a phone'] })), undefined);
});

test('national IDs: exact, replacement card, one-digit typo, disagree', () => {
  const id = makeNationalId({ status: 'citizen', birthYear: 1984, sex: 'female', sequence: 1234567, issue: 0 });
  const replacement = makeNationalId({ status: 'citizen', birthYear: 1984, sex: 'female', sequence: 1234567, issue: 1 });
  const other = makeNationalId({ status: 'citizen', birthYear: 1990, sex: 'male', sequence: 7654321, issue: 0 });
  const typo = id.slice(0, 8) + String((Number(id[8]) + 1) % 10) + id.slice(9);
  const a = person({ nationalIds: [id] });
  assert.equal(compareNationalIds(a, person({ nationalIds: [id.replace(/(\d{4})/g, '$1 ').trim()] })), 'exact');
  assert.equal(compareNationalIds(a, person({ nationalIds: [replacement] })), 'replacement');
  assert.equal(compareNationalIds(a, person({ nationalIds: [typo] })), 'typo');
  assert.equal(compareNationalIds(a, person({ nationalIds: [other] })), 'disagree');
  assert.equal(compareNationalIds(a, person({})), undefined);
});

test('sex and address levels', () => {
  assert.equal(compareSex('male', 'male'), 'agree');
  assert.equal(compareSex('male', 'female'), 'disagree');
  assert.equal(compareSex('unknown', 'female'), undefined);
  const home = { village: 'Kigarama', cell: 'Rubona', sector: 'Kimironko', district: 'Gasabo' };
  assert.equal(compareAddresses(person(home), person({ ...home, village: 'kigarama' })), 'village');
  assert.equal(compareAddresses(person(home), person({ ...home, village: 'Nyarutarama' })), 'cell');
  // the same village name in another cell is another village
  assert.equal(compareAddresses(person(home), person({ ...home, cell: 'Bibare' })), 'sector');
  assert.equal(compareAddresses(person(home), person({ district: 'Gasabo' })), 'district');
  assert.equal(compareAddresses(person(home), person({ ...home, district: 'Huye' })), 'disagree');
  assert.equal(compareAddresses(person(home), person({})), undefined);
});
