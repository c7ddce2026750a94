import assert from 'node:assert/strict';
import { test } from 'node:test';
import { huzaUserFromClaims } from './claims.ts';

test("Huza's claims become the signed-in user; unknown roles are dropped", () => {
  assert.deepEqual(huzaUserFromClaims({
    sub: 'acc-1', name: 'Aline Uwase', preferred_username: 'aline', fhirUser: 'https://huza.moh.gov.rw/fhir/Patient/p-1',
    huza_roles: ['patient', 'superuser'], huza_facilities: ['Organization/f1', 'f2'],
  }), { sub: 'acc-1', name: 'Aline Uwase', username: 'aline', fhirUser: 'Patient/p-1', roles: ['patient'], facilities: ['f1', 'f2'] });
});

test('missing claims have safe defaults', () => {
  assert.deepEqual(huzaUserFromClaims({ sub: 'acc-2', preferred_username: 'x' }), { sub: 'acc-2', name: 'x', username: 'x', fhirUser: undefined, roles: [], facilities: [] });
  assert.equal(huzaUserFromClaims({ sub: 's', fhirUser: 'Observation/1' }).fhirUser, undefined);
  assert.deepEqual(huzaUserFromClaims({ sub: 's', huza_roles: 'auditor regulator' }).roles, ['auditor', 'regulator']);
});
