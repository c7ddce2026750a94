import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantableScopes } from '../oauth/smart-scope-policy.ts';
import { isWithin, parseResourceScope, scopesAllowing, parseScopes } from './smart-scopes.ts';

test('SMART v2 and v1 scopes parse to permissions', () => {
  assert.deepEqual([...parseResourceScope('patient/Observation.rs')!.permissions], ['r', 's']);
  assert.deepEqual([...parseResourceScope('user/*.cruds')!.permissions], ['c', 'r', 'u', 'd', 's']);
  assert.deepEqual([...parseResourceScope('system/Patient.read')!.permissions], ['r', 's']);
  assert.deepEqual([...parseResourceScope('patient/*.write')!.permissions], ['c', 'u', 'd']);
  for (const bad of ['patient/observation.rs', 'admin/*.cruds', 'user/*.', 'user/*.rc', 'openid']) assert.equal(parseResourceScope(bad), undefined, bad);
});

test('a requested scope is within an allowed one only with the same context, a covered type and fewer permissions', () => {
  const allowed = parseResourceScope('system/*.rs')!;
  assert.equal(isWithin(parseResourceScope('system/Observation.r')!, allowed), true);
  assert.equal(isWithin(parseResourceScope('system/Observation.c')!, allowed), false);
  assert.equal(isWithin(parseResourceScope('user/Observation.r')!, allowed), false);
});

test('scope escalation is refused by name', () => {
  const { granted, refused } = grantableScopes(['system/Patient.rs', 'system/Patient.cud', 'system/AuditEvent.d'], 'system/Patient.rs system/Observation.cruds');
  assert.deepEqual(granted, ['system/Patient.rs']);
  assert.deepEqual(refused, ['system/Patient.cud', 'system/AuditEvent.d']);
});

test('which scopes allow an interaction', () => {
  const scopes = parseScopes('patient/Observation.rs patient/Patient.r openid');
  assert.equal(scopesAllowing(scopes, 'Observation', 's').length, 1);
  assert.equal(scopesAllowing(scopes, 'Patient', 's').length, 0);
  assert.equal(scopesAllowing(scopes, 'Condition', 'r').length, 0);
});
