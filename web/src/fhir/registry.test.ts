import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementOf, comparisonRows, decisionsFrom, reviewsFrom } from './registry.ts';
import type { Patient } from './types.ts';

test('reviews are read from the $cr-reviews Parameters, fields included', () => {
  const reviews = reviewsFrom({
    resourceType: 'Parameters',
    parameter: [{
      name: 'review',
      part: [
        { name: 'id', valueString: '7' },
        { name: 'source', valueReference: { reference: 'Patient/b' } },
        { name: 'candidate', valueReference: { reference: 'Patient/a' } },
        { name: 'candidatePerson', valueReference: { reference: 'Patient/cr-1' } },
        { name: 'score', valueDecimal: 14.6 },
        { name: 'status', valueCode: 'open' },
        { name: 'fields', valueString: JSON.stringify([{ field: 'given', level: 'exact', weight: 7.6 }]) },
      ],
    }],
  });
  assert.deepEqual(reviews, [{ id: '7', source: 'b', candidate: 'a', candidatePerson: 'cr-1', score: 14.6, status: 'open', fields: [{ field: 'given', level: 'exact', weight: 7.6 }] }]);
  assert.deepEqual(reviewsFrom({ resourceType: 'Parameters' }), []);
});

test('broken fields JSON gives no fields rather than a crash', () => {
  const [r] = reviewsFrom({ resourceType: 'Parameters', parameter: [{ name: 'review', part: [{ name: 'fields', valueString: '{nope' }] }] });
  assert.deepEqual(r.fields, []);
});

test('levels become agreement at a glance', () => {
  assert.equal(agreementOf('exact', 7.9), 'agree');
  assert.equal(agreementOf('year-off-by-one', 0.8), 'partial');
  assert.equal(agreementOf('disagree', -2.7), 'disagree');
  assert.equal(agreementOf('missing', 0), 'missing');
});

test('a side-by-side comparison lists each field with both values and the verdict', () => {
  const a: Patient = { resourceType: 'Patient', id: 'a', name: [{ family: 'Mukeshimana', given: ['Jeanne'] }], birthDate: '1985-03-02', gender: 'female', telecom: [{ system: 'phone', value: '+250788400100' }] };
  const b: Patient = { resourceType: 'Patient', id: 'b', name: [{ family: 'Mukeshimana', given: ['Jeanne'] }], birthDate: '1986-03-02', gender: 'female' };
  const rows = comparisonRows(a, b, [{ field: 'birthDate', level: 'year-off-by-one', weight: 0.8 }, { field: 'family', level: 'exact', weight: 7.9 }]);
  assert.deepEqual(rows.map((r) => r.field), ['given', 'family', 'birthDate', 'sex', 'nationalId', 'phone', 'address']);
  assert.deepEqual(rows.find((r) => r.field === 'birthDate'), { field: 'birthDate', left: '1985-03-02', right: '1986-03-02', agreement: 'partial', weight: 0.8 });
  assert.deepEqual(rows.find((r) => r.field === 'phone'), { field: 'phone', left: '+250788400100', right: '' });
});

test('history decisions are read in order', () => {
  const d = decisionsFrom({ resourceType: 'Parameters', parameter: [{ name: 'decision', part: [{ name: 'at', valueDateTime: '2026-12-01T10:00:00Z' }, { name: 'person', valueReference: { reference: 'Patient/cr-1' } }, { name: 'method', valueCode: 'new' }] }] });
  assert.deepEqual(d, [{ at: '2026-12-01T10:00:00Z', person: 'cr-1', previousPerson: undefined, method: 'new', by: undefined, reason: undefined }]);
});
