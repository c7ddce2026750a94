import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalisePhone, personFromPatient } from './person-record.ts';

test('personFromPatient reads names, phones, national IDs, other IDs and the Rwandan address', () => {
  const r = personFromPatient({
    resourceType: 'Patient',
    id: 'p1',
    identifier: [
      { system: 'https://moh.gov.rw/fhir/id/national-id', value: '1 1987 7 4455667 0 12' },
      { system: 'https://moh.gov.rw/fhir/id/cbhi', value: '1234567890-01' },
    ],
    name: [{ use: 'old', family: 'Old', given: ['Name'] }, { use: 'official', family: 'UWIMANA', given: ['Marie', 'Claire'] }],
    telecom: [{ system: 'email', value: 'a@b.rw' }, { system: 'phone', value: '0788123456' }],
    gender: 'female',
    birthDate: '1987',
    address: [{
      use: 'home',
      extension: [
        { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-sector', valueString: 'Kimironko' },
        { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-cell', valueString: 'Rubona' },
        { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-village', valueString: 'Kigarama' },
      ],
      district: 'Gasabo',
    }],
  });
  assert.deepEqual(r, {
    id: 'p1', given: ['Marie', 'Claire'], family: ['UWIMANA'], phones: ['0788123456'], nationalIds: ['1198774455667012'],
    otherIds: [{ system: 'https://moh.gov.rw/fhir/id/cbhi', value: '1234567890-01' }], birthDate: '1987', sex: 'female',
    village: 'Kigarama', cell: 'Rubona', sector: 'Kimironko', district: 'Gasabo',
  });
});

test('personFromPatient tolerates an empty or malformed Patient', () => {
  assert.deepEqual(personFromPatient({ resourceType: 'Patient', name: 'x', birthDate: 'soon', gender: 'dog' }), {
    id: '', given: [], family: [], phones: [], nationalIds: [], otherIds: [],
  });
});

test('normalisePhone', () => {
  for (const p of ['0788123456', '788 123 456', '+250 788-123-456', '250788123456', '00250788123456']) assert.equal(normalisePhone(p), '+250788123456', p);
  assert.equal(normalisePhone('12345'), undefined);
  assert.equal(normalisePhone('0252123456'), undefined); // landline prefix, not a mobile
});
