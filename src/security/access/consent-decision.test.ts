import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consentAllows, type ConsentResource } from './consent-decision.ts';

const actor = (id: string) => ({ reference: { reference: `Organization/${id}` } });

test('no consent: shared (opt-out model)', () => {
  assert.equal(consentAllows([], ['kibagabaga']), true);
});

test('"do not share with facility X" denies X only', () => {
  const consent: ConsentResource = { status: 'active', provision: { type: 'deny', actor: [actor('x')] } };
  assert.equal(consentAllows([consent], ['x']), false);
  assert.equal(consentAllows([consent], ['y']), true);
});

test('"share only with my referral hospital": root deny with a nested permit', () => {
  const consent: ConsentResource = { status: 'active', provision: { type: 'deny', provision: [{ type: 'permit', actor: [actor('chuk')] }] } };
  assert.equal(consentAllows([consent], ['chuk']), true);
  assert.equal(consentAllows([consent], ['kibagabaga']), false);
});

test('inactive or expired consents do not apply', () => {
  assert.equal(consentAllows([{ status: 'inactive', provision: { type: 'deny' } }], ['x']), true);
  assert.equal(consentAllows([{ status: 'active', provision: { type: 'deny', period: { end: '2020-01-01' } } }], ['x']), true);
});
