import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classOptions, productQuery, productRow, type MedicationKnowledge } from './products.ts';

test('one search box: GTIN, local code or the start of the name; and an EML class', () => {
  assert.equal(decodeURIComponent(productQuery({ text: '09520001000024' })), 'MedicationKnowledge?code=https://www.gs1.org/gtin|09520001000024&_count=25');
  assert.equal(decodeURIComponent(productQuery({ text: '9520001000024' })), 'MedicationKnowledge?code=https://www.gs1.org/gtin|09520001000024&_count=25');
  assert.equal(decodeURIComponent(productQuery({ text: 'em-amox-250-dt' })), 'MedicationKnowledge?code=https://moh.gov.rw/fhir/CodeSystem/essential-medicines|EM-AMOX-250-DT&_count=25');
  assert.equal(decodeURIComponent(productQuery({ text: 'amox', eml: 'anti-infectives' })),
    'MedicationKnowledge?code:text=amox&classification=https://moh.gov.rw/fhir/CodeSystem/essential-medicines-class|anti-infectives&_count=25');
});

test('a catalogue entry as a row', () => {
  const mk: MedicationKnowledge = {
    resourceType: 'MedicationKnowledge', id: 'k',
    code: { coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines', code: 'EM-X', display: 'X 5 mg tablet' }, { system: 'https://www.gs1.org/gtin', code: '09520001000017' }], text: 'X 5 mg tablet' },
    doseForm: { text: 'Tablet' },
    packaging: { type: { text: 'Box' }, quantity: { value: 100, unit: 'tablet' } },
    medicineClassification: [
      { classification: [{ coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines-class', code: 'a', display: 'Section' }] }, { coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines-class', code: 'a.b', display: 'Class' }] }] },
      { classification: [{ coding: [{ system: 'http://www.whocc.no/atc', code: 'A01' }] }] },
    ],
  };
  assert.deepEqual(productRow(mk), { id: 'k', name: 'X 5 mg tablet', localCode: 'EM-X', gtin: '09520001000017', form: 'Tablet', pack: 'Box · 100 tablet', emlClass: 'Class', atc: 'A01' });
  assert.deepEqual(classOptions({ resourceType: 'CodeSystem', concept: [{ code: 'a', display: 'Section', concept: [{ code: 'a.b', display: 'Class' }] }] }).map((o) => o.value), ['a', 'a.b']);
});
