import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemScope } from './system-scope.ts';

test('system scopes from a choice of types and access', () => {
  assert.equal(systemScope([], 'both'), 'system/*.cruds');
  assert.equal(systemScope(['Patient', 'Observation'], 'read'), 'system/Patient.rs system/Observation.rs');
  assert.equal(systemScope(['Patient'], 'write'), 'system/Patient.cud');
});
