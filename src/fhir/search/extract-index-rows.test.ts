/**
 * Index-row extraction on its own (no database): what each kind of value becomes, that rows are
 * distinct, and what it costs per resource.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readPackageResources } from '../definitions/examples-package.ts';
import { r4SearchParameters } from '../definitions/search-parameters.ts';
import { extractIndexRows } from './extract-index-rows.ts';
import { indexTables, type IndexRows } from './index-rows.ts';

type Json = Record<string, any>;

const registry = r4SearchParameters();
const rowsOf = (resource: Json): IndexRows => extractIndexRows(resource, registry.forType(resource.resourceType).values());
const rowsFor = <T extends keyof IndexRows>(rows: IndexRows, table: T, param: string) =>
  (rows[table] as { param: string }[]).filter((r) => r.param === param) as IndexRows[T];

describe('extractIndexRows', () => {
  test('a value repeated in a resource gives one row', () => {
    const rows = rowsOf({ resourceType: 'Patient', name: [{ family: 'Mukamana', given: ['Aline', 'Aline'] }, { family: 'Mukamana' }] });
    assert.deepEqual(rowsFor(rows, 'string', 'given').map((r) => r.exact), ['Aline']);
    assert.deepEqual(rowsFor(rows, 'string', 'family').map((r) => r.exact), ['Mukamana']);
  });

  test('no two rows of any example are the same', () => {
    for (const type of ['Patient', 'Observation', 'Encounter', 'MedicationRequest', 'CarePlan', 'DiagnosticReport']) {
      for (const resource of readPackageResources<Json>(type)) {
        const rows = rowsOf(resource);
        for (const table of indexTables) {
          const keys = (rows[table] as object[]).map((r) => JSON.stringify(r));
          assert.equal(new Set(keys).size, keys.length, `${type}/${resource.id} ${table}`);
        }
      }
    }
  });

  test('boolean results of an expression are indexed (Patient deceased)', () => {
    assert.deepEqual(rowsFor(rowsOf({ resourceType: 'Patient' }), 'token', 'deceased').map((r) => r.code), ['false']);
    assert.deepEqual(rowsFor(rowsOf({ resourceType: 'Patient', deceasedDateTime: '2020-01-01' }), 'token', 'deceased').map((r) => r.code), ['true']);
  });

  test('references: relative by type and id, anything else by url only; logical ones still count as a value', () => {
    const rows = rowsOf({
      resourceType: 'Observation', status: 'final', code: { text: 'x' },
      subject: { reference: 'http://other.org/fhir/Patient/1' },
      performer: [{ reference: 'Practitioner/7/_history/2' }, { identifier: { system: 'urn:x', value: '9' } }],
    });
    assert.deepEqual(rowsFor(rows, 'reference', 'subject'), [
      { param: 'subject', targetType: null, targetId: null, targetVersion: null, url: 'http://other.org/fhir/Patient/1', grp: null },
    ]);
    assert.deepEqual(rowsFor(rows, 'reference', 'performer').map((r) => [r.targetType, r.targetId, r.targetVersion]), [['Practitioner', '7', '2'], [null, null, null]]);
    assert.deepEqual(rowsFor(rows, 'token', 'performer:identifier').map((r) => [r.system, r.code]), [['urn:x', '9']]);
  });

  test('`resolve() is Patient` holds for a literal Patient reference and for a contained Patient', () => {
    const contained = rowsOf({
      resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: '#p' }, contained: [{ resourceType: 'Patient', id: 'p' }],
    });
    assert.equal(rowsFor(contained, 'reference', 'patient').length, 1);
    const group = rowsOf({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Group/g' } });
    assert.equal(rowsFor(group, 'reference', 'patient').length, 0);
    assert.equal(rowsFor(group, 'reference', 'subject').length, 1);
  });

  test('decimals and integers (fhirpath.js wraps them) are indexed as numbers', () => {
    const rows = rowsOf({ resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' }, prediction: [{ probabilityDecimal: 0.25 }, { probabilityDecimal: 12 }] });
    assert.deepEqual(rowsFor(rows, 'number', 'probability').map((r) => [r.low, r.high]), [['0.25', '0.25'], ['12', '12']]);
  });

  test('R4 expressions fhirpath.js refuses still index: several components, a comparator, value.as(DateTime)', () => {
    const rows = rowsOf({
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '1-1' }] },
      valueQuantity: { value: 5, comparator: '<', unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
      component: [
        { code: { text: 'a' }, valueCodeableConcept: { coding: [{ system: 's', code: 'A' }] } },
        { code: { text: 'b' }, valueCodeableConcept: { coding: [{ system: 's', code: 'B' }] } },
      ],
    });
    assert.deepEqual(rowsFor(rows, 'quantity', 'value-quantity').map((r) => r.low), ['5']);
    assert.deepEqual(rowsFor(rows, 'quantity', 'combo-value-quantity').map((r) => r.low), ['5']);
    assert.deepEqual(rowsFor(rows, 'token', 'component-value-concept').map((r) => r.code), ['A', 'B']);
    const dated = rowsOf({ resourceType: 'Observation', status: 'final', code: { coding: [{ code: 'c' }] }, valueDateTime: '2020-01-02' });
    assert.equal(rowsFor(dated, 'date', 'code-value-date$1').length, 1);
  });

  test('composite components keep their group: code and value of one component together', () => {
    const rows = rowsOf({
      resourceType: 'Observation', status: 'final', code: { text: 'bp' },
      component: [
        { code: { coding: [{ code: 'sys' }] }, valueQuantity: { value: 120 } },
        { code: { coding: [{ code: 'dia' }] }, valueQuantity: { value: 80 } },
      ],
    });
    const codes = rowsFor(rows, 'token', 'component-code-value-quantity$0');
    const values = rowsFor(rows, 'quantity', 'component-code-value-quantity$1');
    const pairs = codes.map((c) => [c.code, values.find((v) => v.grp === c.grp)?.low]);
    assert.deepEqual(pairs, [['sys', '120'], ['dia', '80']]);
  });

  test('cost per resource', (t) => {
    for (const type of ['Patient', 'Observation']) {
      const resources = readPackageResources<Json>(type);
      const params = [...registry.forType(type).values()];
      // Warmed up first: the first calls compile every expression and leave the JIT cold.
      for (let i = 0; i < 30; i++) for (const r of resources) extractIndexRows(r, params);
      const rounds = 30;
      const start = process.cpuUsage();
      for (let i = 0; i < rounds; i++) for (const r of resources) extractIndexRows(r, params);
      const used = process.cpuUsage(start);
      const ms = (used.user + used.system) / 1000 / (rounds * resources.length);
      t.diagnostic(`${type}: ${ms.toFixed(3)} ms of CPU per resource over the ${resources.length} R4 examples`);
    }
  });
});
