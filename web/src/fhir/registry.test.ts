import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  agreementOf, comparisonRows, decisionsFrom, estimateRequest, largestShift, modelEstimateFrom, modelHistoryFrom, parseSampleSize, reviewsFrom,
  weightChartData, type Parameters,
} from './registry.ts';
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

/** A $cr-estimate-model reply as the registry writes it (src/registry/client/operations/model-operations.ts), cut to two fields. */
const estimateReply: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'adopted', valueBoolean: false },
    { name: 'adoptable', valueBoolean: false },
    { name: 'version', valueInteger: 2 },
    { name: 'currentVersion', valueInteger: 2 },
    { name: 'currentModelVersion', valueString: 'synthetic-seed1-em-2' },
    { name: 'problem', valueString: 'address.disagree weighs 8.13: disagreement on address must count against a match' },
    { name: 'sample', part: [{ name: 'registryRecords', valueInteger: 882 }, { name: 'sampled', valueInteger: 882 }, { name: 'pairs', valueInteger: 1307 }, { name: 'anchoredMatches', valueInteger: 149 }, { name: 'anchoredNonMatches', valueInteger: 153 }] },
    { name: 'em', part: [{ name: 'iterations', valueInteger: 11 }, { name: 'converged', valueBoolean: true }, { name: 'matchProportion', valueDecimal: 0.362934 }, { name: 'logLikelihood', valueDecimal: -5012.5 }, { name: 'logLikelihoodTrace', valueString: '[-6000,-5012.5]' }] },
    {
      name: 'decisions',
      part: [
        { name: 'pairs', valueInteger: 1307 }, { name: 'changed', valueInteger: 4 }, { name: 'recordsAffected', valueInteger: 8 },
        { name: 'current', part: [{ name: 'link', valueInteger: 470 }, { name: 'review', valueInteger: 2 }, { name: 'new', valueInteger: 835 }] },
        { name: 'proposed', part: [{ name: 'link', valueInteger: 468 }, { name: 'review', valueInteger: 2 }, { name: 'new', valueInteger: 837 }] },
        { name: 'change', part: [{ name: 'from', valueCode: 'link' }, { name: 'to', valueCode: 'review' }, { name: 'count', valueInteger: 2 }] },
        { name: 'change', part: [{ name: 'from', valueCode: 'review' }, { name: 'to', valueCode: 'new' }, { name: 'count', valueInteger: 2 }] },
      ],
    },
    {
      name: 'field',
      part: [
        { name: 'name', valueCode: 'sex' },
        { name: 'level', part: [{ name: 'code', valueCode: 'agree' }, { name: 'm', valueDecimal: 0.99 }, { name: 'u', valueDecimal: 0.5 }, { name: 'weight', valueDecimal: 0.986 }, { name: 'currentM', valueDecimal: 0.991 }, { name: 'currentU', valueDecimal: 0.501 }, { name: 'currentWeight', valueDecimal: 0.984 }] },
        { name: 'level', part: [{ name: 'code', valueCode: 'disagree' }, { name: 'm', valueDecimal: 0.01 }, { name: 'u', valueDecimal: 0.5 }, { name: 'weight', valueDecimal: -5.644 }, { name: 'currentM', valueDecimal: 0.00902 }, { name: 'currentU', valueDecimal: 0.499 }, { name: 'currentWeight', valueDecimal: -5.79 }] },
      ],
    },
    {
      name: 'field',
      part: [
        { name: 'name', valueCode: 'address' },
        { name: 'level', part: [{ name: 'code', valueCode: 'village' }, { name: 'm', valueDecimal: 0.5 }, { name: 'u', valueDecimal: 0.02 }, { name: 'weight', valueDecimal: 4.644 }, { name: 'currentWeight', valueDecimal: 6.341 }] },
        { name: 'level', part: [{ name: 'code', valueCode: 'disagree' }, { name: 'weight', valueDecimal: 8.13 }, { name: 'currentWeight', valueDecimal: -2.74 }] },
      ],
    },
    { name: 'timing', part: [{ name: 'totalMs', valueInteger: 4318 }] },
    { name: 'model', valueString: '{}' },
  ],
};

test('a model estimate is read from the $cr-estimate-model Parameters: counts, EM, decisions, weights per field', () => {
  const e = modelEstimateFrom(estimateReply);
  assert.equal(e.adopted, false);
  assert.equal(e.adoptable, false);
  assert.equal(e.version, 2);
  assert.deepEqual(e.problems, ['address.disagree weighs 8.13: disagreement on address must count against a match']);
  assert.equal(e.sample.pairs, 1307);
  assert.equal(e.sample.registryRecords, 882);
  assert.deepEqual(e.em, { iterations: 11, converged: true, matchProportion: 0.362934 });
  assert.deepEqual(e.decisions, {
    pairs: 1307, changed: 4, recordsAffected: 8,
    current: { link: 470, review: 2, new: 835 }, proposed: { link: 468, review: 2, new: 837 },
    changes: [{ from: 'link', to: 'review', count: 2 }, { from: 'review', to: 'new', count: 2 }],
  });
  assert.deepEqual(e.fields.map((f) => f.field), ['sex', 'address']);
  assert.deepEqual(e.fields[0].levels[1], { level: 'disagree', m: 0.01, u: 0.5, weight: -5.644, currentM: 0.00902, currentU: 0.499, currentWeight: -5.79 });
  // Parts the reply leaves out read as zero rather than undefined.
  assert.equal(e.fields[1].levels[1].m, 0);
  const empty = modelEstimateFrom({ resourceType: 'Parameters' });
  assert.deepEqual(empty.decisions.current, { link: 0, review: 0, new: 0 });
  assert.deepEqual(empty.fields, []);
});

test('the weight charts show each level in force and proposed; the largest shift is named', () => {
  const e = modelEstimateFrom(estimateReply);
  assert.deepEqual(weightChartData(e.fields[0]), [{ level: 'agree', current: 0.984, proposed: 0.986 }, { level: 'disagree', current: -5.79, proposed: -5.644 }]);
  assert.deepEqual(largestShift(e.fields), { field: 'address', level: 'disagree', from: -2.74, to: 8.13 });
  assert.equal(largestShift([]), undefined);
});

test('the model history is read newest first, with who adopted each version, when and on what basis', () => {
  const h = modelHistoryFrom({
    resourceType: 'Parameters',
    parameter: [
      { name: 'current', valueInteger: 2 },
      { name: 'version', valueInteger: 2 },
      { name: 'model', valueString: '{}' },
      { name: 'history', part: [{ name: 'version', valueInteger: 2 }, { name: 'kind', valueCode: 'restored' }, { name: 'by', valueString: 'person:a1' }, { name: 'at', valueDateTime: '2026-05-01T10:00:00.000Z' }, { name: 'restoredFrom', valueInteger: 0 }] },
      { name: 'history', part: [{ name: 'version', valueInteger: 1 }, { name: 'name', valueString: 'registry-em-2026-05-01-882r-seed1' }, { name: 'kind', valueCode: 'estimated' }, { name: 'by', valueString: 'person:a1' }, { name: 'reason', valueString: 'first estimate' }, { name: 'records', valueInteger: 882 }, { name: 'pairs', valueInteger: 1307 }, { name: 'changed', valueInteger: 4 }, { name: 'forced', valueBoolean: true }] },
      { name: 'history', part: [{ name: 'version', valueInteger: 0 }, { name: 'name', valueString: 'synthetic-seed1-em-2' }, { name: 'kind', valueCode: 'built-in' }] },
    ],
  });
  assert.equal(h.current, 2);
  assert.deepEqual(h.versions.map((v) => [v.version, v.kind, v.forced]), [[2, 'restored', false], [1, 'estimated', true], [0, 'built-in', false]]);
  assert.equal(h.versions[0].restoredFrom, 0, 'version 0 is a version like any other');
  assert.deepEqual({ ...h.versions[1] }, {
    version: 1, name: 'registry-em-2026-05-01-882r-seed1', kind: 'estimated', by: 'person:a1', at: undefined, reason: 'first estimate',
    restoredFrom: undefined, records: 882, pairs: 1307, changed: 4, forced: true,
  });
});

test('the sample size must be a whole number the registry accepts; the request carries it, and adopt its reason', () => {
  assert.equal(parseSampleSize(5000), 5000);
  assert.equal(parseSampleSize('20 000'), 20000);
  assert.equal(parseSampleSize('12,500'), 12500);
  for (const bad of [499, 200_001, 1000.5, '', 'many']) assert.equal(parseSampleSize(bad), undefined, String(bad));
  assert.deepEqual(estimateRequest({ sampleSize: 5000, reason: 'ignored on preview' }), { resourceType: 'Parameters', parameter: [{ name: 'sampleSize', valueInteger: 5000 }] });
  assert.deepEqual(estimateRequest({ sampleSize: 800, adopt: true, reason: '  after the Musanze back-load ' }).parameter, [
    { name: 'sampleSize', valueInteger: 800 }, { name: 'adopt', valueBoolean: true }, { name: 'reason', valueString: 'after the Musanze back-load' },
  ]);
  assert.equal(estimateRequest({ sampleSize: 800, adopt: true, reason: ' ' }).parameter?.length, 2);
});
