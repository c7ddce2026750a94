import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCodedElements } from './coded-elements.ts';
import { createResourceValidator } from './validator.ts';

createResourceValidator(); // indexes the R4 definitions the walk reads

const list = (resource: Record<string, unknown>) =>
  findCodedElements(resource).map((e) => `${e.expression} ${e.type}${e.binding ? ` ${e.binding.strength} ${e.binding.valueSet}` : ''}`);

test('codings, concepts and quantities in document order, with FHIRPath expressions and bindings; choice types as ofType()', () => {
  assert.deepEqual(list({
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
    interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N' }] }],
    valueQuantity: { value: 60, system: 'http://unitsofmeasure.org', code: '/min' },
    component: [{ code: { text: 'no coding' }, valueCodeableConcept: { coding: [{ system: 'https://example.rw/cs', code: 'x' }] } }],
  }), [
    'Observation.status code required http://hl7.org/fhir/ValueSet/observation-status|4.0.1',
    'Observation.code CodeableConcept',
    'Observation.code.coding[0] Coding',
    'Observation.interpretation[0] CodeableConcept extensible http://hl7.org/fhir/ValueSet/observation-interpretation',
    'Observation.interpretation[0].coding[0] Coding',
    'Observation.value.ofType(Quantity) Quantity',
    'Observation.component[0].code CodeableConcept',
    'Observation.component[0].value.ofType(CodeableConcept) CodeableConcept',
    'Observation.component[0].value.ofType(CodeableConcept).coding[0] Coding',
  ]);
});

test('into extensions, primitive extensions, contained resources and Bundle entries', () => {
  const found = list({
    resourceType: 'Bundle', type: 'collection',
    entry: [{ resource: {
      resourceType: 'Patient', gender: 'female',
      _birthDate: { extension: [{ url: 'https://example.rw/ext', valueCoding: { system: 'https://example.rw/cs', code: 'approx' } }] },
      contained: [{ resourceType: 'Location', type: [{ coding: [{ system: 'https://example.rw/cs', code: 'home' }] }] }],
      extension: [{ url: 'https://example.rw/ext2', valueCodeableConcept: { coding: [{ system: 'https://example.rw/cs', code: 'y' }] } }],
    } }],
  });
  for (const expected of [
    'Bundle.type code required http://hl7.org/fhir/ValueSet/bundle-type|4.0.1',
    'Bundle.entry[0].resource.gender code required http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1',
    'Bundle.entry[0].resource.birthDate.extension[0].value.ofType(Coding) Coding',
    'Bundle.entry[0].resource.contained[0].type[0].coding[0] Coding',
    'Bundle.entry[0].resource.extension[0].value.ofType(CodeableConcept).coding[0] Coding',
  ]) assert.ok(found.includes(expected), `${expected} not in ${JSON.stringify(found, null, 1)}`);
});

test('a backbone element with system and code keys is not a Coding', () => {
  const found = list({
    resourceType: 'ValueSet', status: 'active',
    expansion: { timestamp: '2026-12-01', contains: [{ system: 'https://example.rw/cs', code: 'x' }] },
  });
  assert.deepEqual(found, ['ValueSet.status code required http://hl7.org/fhir/ValueSet/publication-status|4.0.1']);
  assert.deepEqual(list({ resourceType: 'NotAType', code: { coding: [{ code: 'x' }] } }), []);
});

