import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedActions, basicForNewLicence, licenceExt, licenceFromBasic, licenceTypeSystem, withStatus } from './licences.ts';

test('a new facility licence is an active Basic with every licence extension', () => {
  const basic = basicForNewLicence({
    kind: 'facility-digital-health-licence',
    holder: { reference: 'Organization/chuk', display: 'CHUK' },
    number: 'MOH-DHL-9',
    issuer: 'Ministry of Health',
    period: { start: '2026-01-01', end: '2027-12-31' },
    scope: 'EMR',
  }, '2026-01-01');
  assert.deepEqual(basic.code, { coding: [{ system: licenceTypeSystem, code: 'facility-digital-health-licence' }] });
  assert.equal(basic.created, '2026-01-01');
  assert.deepEqual(licenceFromBasic(basic), {
    id: undefined, versionId: undefined, kind: 'facility-digital-health-licence', holder: { reference: 'Organization/chuk', display: 'CHUK' },
    number: 'MOH-DHL-9', issuer: 'Ministry of Health', period: { start: '2026-01-01', end: '2027-12-31' }, status: 'active', scope: 'EMR', created: '2026-01-01',
  });
});

test('a status change replaces only the status and keeps what the app does not know', () => {
  const basic = basicForNewLicence({ kind: 'practitioner-licence', holder: { reference: 'Practitioner/p' }, number: 'N', issuer: 'RMDC', period: { start: '2026-01-01', end: '2027-01-01' } }, '2026-01-01');
  basic.id = 'b1';
  basic.meta = { versionId: '3' };
  basic.extension!.push({ url: 'https://example.org/other', valueString: 'kept' });
  const suspended = withStatus(basic, 'suspended');
  assert.equal(licenceFromBasic(suspended).status, 'suspended');
  assert.equal(suspended.extension!.filter((e) => e.url === licenceExt.status).length, 1);
  assert.ok(suspended.extension!.some((e) => e.url === 'https://example.org/other'));
  assert.equal(suspended.id, 'b1');
  assert.equal(basic.extension!.find((e) => e.url === licenceExt.status)!.valueCode, 'active', 'the original is untouched');
});

test('what the regulator may do from each status', () => {
  assert.deepEqual(allowedActions('active'), ['suspend', 'revoke']);
  assert.deepEqual(allowedActions('suspended'), ['reinstate', 'revoke']);
  assert.deepEqual(allowedActions('revoked'), []);
  assert.deepEqual(allowedActions('expired'), []);
  assert.deepEqual(allowedActions(undefined), []);
});
