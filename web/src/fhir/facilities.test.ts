import assert from 'node:assert/strict';
import { test } from 'node:test';
import { facilityQuery, facilityRow, project, withEdits, type Location } from './facilities.ts';

test('facility searches are mCSD queries on facility buildings', () => {
  assert.equal(new URLSearchParams(facilityQuery({}).split('?')[1]).get('type'), 'https://moh.gov.rw/fhir/CodeSystem/facility-level|');
  const q = new URLSearchParams(facilityQuery({ name: ' Kib ', level: 'health-centre', district: 'rw-district-musanze' }).split('?')[1]);
  assert.equal(q.get('name:contains'), 'Kib');
  assert.equal(q.get('type'), 'https://moh.gov.rw/fhir/CodeSystem/facility-level|health-centre');
  assert.equal(q.get('partof'), 'Location/rw-district-musanze');
});

const kabutare: Location = {
  resourceType: 'Location', id: 'rw-fac-dh-huye', name: 'Kabutare District Hospital', status: 'active',
  identifier: [{ system: 'https://moh.gov.rw/fhir/id/facility', value: 'dh-huye' }],
  type: [{ coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/facility-level', code: 'district-hospital' }] }],
  telecom: [{ system: 'phone', value: '+250788000111' }, { system: 'email', value: 'dh@huye.rw' }],
  address: { district: 'Huye' }, position: { latitude: -2.6, longitude: 29.74 },
};

test('a facility row carries what the table and the map show', () => {
  assert.deepEqual(facilityRow(kabutare), {
    id: 'rw-fac-dh-huye', name: 'Kabutare District Hospital', code: 'dh-huye', level: 'district-hospital', district: 'Huye',
    phone: '+250788000111', status: 'active', lat: -2.6, long: 29.74,
  });
});

test('positions project inside the frame; outside Rwanda they are not drawn', () => {
  assert.deepEqual(project(-1.05, 28.86, 600, 400), { x: 0, y: 0 });
  assert.deepEqual(project(-2.84, 30.9, 600, 400), { x: 600, y: 400 });
  const huye = project(-2.6, 29.74, 600, 400)!;
  assert.ok(huye.x > 250 && huye.x < 270 && huye.y > 340 && huye.y < 350, JSON.stringify(huye));
  assert.equal(project(0, 30, 600, 400), undefined);
});

test('edits change name, phone and status and keep the rest', () => {
  const edited = withEdits(kabutare, { name: ' CHU Kabutare ', phone: '+250788999000', status: 'inactive' });
  assert.equal(edited.name, 'CHU Kabutare');
  assert.equal(edited.status, 'inactive');
  assert.deepEqual(edited.telecom, [{ system: 'phone', value: '+250788999000', use: 'work' }, { system: 'email', value: 'dh@huye.rw' }]);
  assert.deepEqual(edited.position, kabutare.position);
  assert.deepEqual(edited.identifier, kabutare.identifier);
});
