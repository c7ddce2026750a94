import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browseExpansion, codeSystemLabel, expansionRows } from './terminology.ts';

test('browsing a code system is an $expand of an inline value set of the whole system', () => {
  const p = browseExpansion('https://huza.rw/fhir/CodeSystem/health-worker-cadre', ' nurse ', 'fr');
  const byName = Object.fromEntries(p.parameter.map((x) => [x.name, x]));
  assert.deepEqual((byName.valueSet as { resource: { compose: unknown } }).resource.compose, { include: [{ system: 'https://huza.rw/fhir/CodeSystem/health-worker-cadre' }] });
  assert.equal((byName.filter as { valueString: string }).valueString, 'nurse');
  assert.equal((byName.displayLanguage as { valueCode: string }).valueCode, 'fr');
  assert.equal(browseExpansion('s', '  ', 'en').parameter.some((x) => x.name === 'filter'), false);
});

test('labels and rows', () => {
  assert.equal(codeSystemLabel({ resourceType: 'CodeSystem', name: 'Cadre', title: 'Health worker cadres' }), 'Health worker cadres');
  assert.deepEqual(expansionRows({ resourceType: 'ValueSet', expansion: { contains: [{ code: 'a', contains: [{ code: 'a1' }] }, { code: 'b' }] } }).map((r) => r.code), ['a', 'a1', 'b']);
});
