import assert from 'node:assert/strict';
import { test } from 'node:test';
import { densityQuery, formatAvailability, healthWorkerQuery, parseDensity, parseThreshold, sortDistricts, type Parameters } from './workforce.ts';

const district = (name: string, population: number, workers: number, density: number, gap: number, below: boolean) => ({
  name: 'district',
  part: [
    { name: 'name', valueString: name }, { name: 'population', valueInteger: population },
    { name: 'populationYear', valueInteger: 2022 }, { name: 'populationSource', valueString: 'Census 2022 (NISR)' }, { name: 'workers', valueDecimal: workers },
    { name: 'density', valueDecimal: density }, { name: 'gap', valueDecimal: gap }, { name: 'below', valueBoolean: below },
    { name: 'group', part: [{ name: 'cadre', valueCode: 'nurse' }, { name: 'workers', valueDecimal: workers }] },
  ],
});

const parameters: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'threshold', valueDecimal: 1 }, { name: 'cadre', valueCode: 'nurse' }, { name: 'population', valueInteger: 5000 },
    { name: 'workers', valueDecimal: 4 }, { name: 'density', valueDecimal: 0.8 }, { name: 'unplaced', valueInteger: 1 },
    // Small and empty, large and thin, well staffed.
    district('Small', 1000, 0, 0, 1, true), district('Large', 3000, 1, 0.333, 2, true), district('Staffed', 1000, 3, 3, 0, false),
  ],
};

test('the density report is read from its Parameters', () => {
  const r = parseDensity(parameters);
  assert.equal(r.threshold, 1);
  assert.deepEqual(r.counted, ['nurse']);
  assert.equal(r.unplaced, 1);
  assert.deepEqual(r.districts[1], { name: 'Large', population: 3000, populationYear: 2022, populationSource: 'Census 2022 (NISR)', workers: 1, density: 0.333, gap: 2, below: true, groups: { nurse: 1 } });
});

test('furthest below first: by density, or by the workers missing (which the threshold changes)', () => {
  const rows = parseDensity(parameters).districts;
  assert.deepEqual(sortDistricts(rows, 'density').map((d) => d.name), ['Small', 'Large', 'Staffed']);
  assert.deepEqual(sortDistricts(rows, 'shortfall').map((d) => d.name), ['Large', 'Small', 'Staffed']);
});

test('queries and thresholds', () => {
  assert.equal(densityQuery(4.45), 'Location/$workforce-density?threshold=4.45');
  assert.equal(densityQuery(4, ['nurse', 'midwife']), 'Location/$workforce-density?threshold=4&cadre=nurse%2Cmidwife');
  assert.equal(parseThreshold('4,45'), 4.45);
  assert.equal(parseThreshold('0'), undefined);
  assert.equal(parseThreshold('abc'), undefined);
  const q = decodeURIComponent(healthWorkerQuery({ name: ' Uwi ', cadre: 'midwife', facility: 'Nyamata' }));
  assert.match(q, /practitioner\.name=Uwi&/);
  assert.match(q, /role=https:\/\/huza\.rw\/fhir\/CodeSystem\/health-worker-cadre\|midwife,https:\/\/huza\.rw\/fhir\/CodeSystem\/health-worker-cadre\|midwife-a0,/);
  assert.match(q, /location\.name=Nyamata/);
});

test('availability folds consecutive days', () => {
  const names = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
  assert.deepEqual(formatAvailability([{ daysOfWeek: ['fri', 'mon', 'tue', 'wed', 'thu'], availableStartTime: '07:00:00', availableEndTime: '17:00:00' }, { daysOfWeek: ['sat', 'mon'], allDay: true }], names),
    ['Mon–Fri 07:00–17:00', 'Mon, Sat']);
});
