import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../test-support/test-server.ts';

type Json = any;

const FACILITY_TYPE = 'https://huza.rw/fhir/CodeSystem/facility-type';
const CADRE = 'https://huza.rw/fhir/CodeSystem/health-worker-cadre';
const CHW_REPORT = 'https://huza.rw/fhir/CodeSystem/chw-report';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const LOCATION_TYPES = 'http://terminology.hl7.org/ValueSet/v3-ServiceDeliveryLocationRoleType';
const LOINC = 'http://loinc.org';
/** The ValueSet R4 binds MolecularSequence.structureVariant.variantType to (required) but does not ship. */
const VARIANT_TYPES = 'http://loinc.org/vs/LL379-9';

const location = (name: string, type?: Json[]): Json => ({ resourceType: 'Location', status: 'active', name, ...(type ? { type } : {}) });
const coding = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const variant = (code: string): Json => ({ resourceType: 'MolecularSequence', coordinateSystem: 0, structureVariant: [{ variantType: coding(LOINC, code) }] });

/** The one error of a refused write. */
function refusal(res: { status: number; body: Json }): Json {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.resourceType, 'OperationOutcome');
  const errors = res.body.issue.filter((i: Json) => i.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(res.body));
  assert.equal(errors[0].code, 'code-invalid');
  return errors[0];
}

for (const kind of testDatabaseKinds) {
  describe(`codes checked on write through the terminology service, on ${kind.name}`, () => {
    let s: TestServer;
    const count = async (query: string): Promise<number> => (await s.fhir(`${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total;

    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });

    test('an unknown code in a code system Huza holds is refused, bound or not, and nothing is stored', async () => {
      // Location.type is bound (extensible) to a ValueSet that does not draw from the Rwandan facility types.
      const post = await s.fhir('Location', { method: 'POST', body: location('Unknown type', [coding(FACILITY_TYPE, 'spa')]) });
      const issue = refusal(post);
      assert.deepEqual(issue.expression, ['Location.type[0].coding[0]']);
      assert.equal(issue.diagnostics, `Unknown code 'spa' in code system '${FACILITY_TYPE}'`);
      const put = await s.fhir('Location/unknown-type', { method: 'PUT', body: { ...location('Unknown type', [coding(FACILITY_TYPE, 'spa')]), id: 'unknown-type' } });
      refusal(put);
      assert.equal((await s.fhir('Location/unknown-type')).status, 404);
      // Unbound: a health worker's qualification (example binding), a tag.
      const practitioner = { resourceType: 'Practitioner', meta: { tag: [{ system: CHW_REPORT, code: 'no-such-report' }] }, qualification: [{ code: coding(CADRE, 'wizard') }] };
      const refused = await s.fhir('Practitioner', { method: 'POST', body: practitioner });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.deepEqual(refused.body.issue.map((i: Json) => i.expression[0]).sort(), ['Practitioner.meta.tag[0]', 'Practitioner.qualification[0].code.coding[0]']);
      assert.ok(refused.body.issue.every((i: Json) => i.code === 'code-invalid'));
      assert.equal(await count('Location?name=Unknown'), 0);
      assert.equal(await count('Practitioner'), 0);
    });

    test('a code outside a required ValueSet that only the store holds is refused', async () => {
      // Before the ValueSet is known, the binding cannot be judged: the code is taken as it is.
      assert.equal((await s.fhir('MolecularSequence', { method: 'POST', body: variant('LA6700-4') })).status, 201);
      const valueSet = {
        resourceType: 'ValueSet', id: 'loinc-ll379-9', url: VARIANT_TYPES, version: '2.78', status: 'active', name: 'DnaChangeType',
        compose: { include: [{ system: LOINC, concept: ['LA9658-1', 'LA6692-3', 'LA6686-5', 'LA6687-3', 'LA6688-1', 'LA6689-9', 'LA6690-7'].map((code) => ({ code })) }] },
      };
      assert.equal((await s.fhir(`ValueSet/${valueSet.id}`, { method: 'PUT', body: valueSet })).status, 201);
      const before = await count('MolecularSequence');
      const issue = refusal(await s.fhir('MolecularSequence', { method: 'POST', body: variant('LA6700-4') }));
      assert.deepEqual(issue.expression, ['MolecularSequence.structureVariant[0].variantType.coding[0]']);
      assert.match(issue.diagnostics, /http:\/\/loinc\.org\|LA6700-4/);
      assert.ok(issue.diagnostics.includes(`required value set ${VARIANT_TYPES}`), issue.diagnostics);
      assert.equal(await count('MolecularSequence'), before, 'nothing stored');
      assert.equal((await s.fhir('MolecularSequence', { method: 'POST', body: variant('LA6692-3') })).status, 201);
      // The steward widens the ValueSet: the code is accepted at once (the cached expansion is rebuilt).
      valueSet.compose.include[0].concept.push({ code: 'LA6700-4' });
      assert.equal((await s.fhir(`ValueSet/${valueSet.id}`, { method: 'PUT', body: valueSet })).status, 200);
      assert.equal((await s.fhir('MolecularSequence', { method: 'POST', body: variant('LA6700-4') })).status, 201);
    });

    test('a required binding to an R4 ValueSet: a primitive code outside it is refused with the canonical', async () => {
      const issue = refusal(await s.fhir('Location', { method: 'POST', body: { ...location('Closed'), status: 'closed' } }));
      assert.deepEqual(issue.expression, ['Location.status']);
      assert.equal(issue.diagnostics, "The code 'closed' is not in the required value set http://hl7.org/fhir/ValueSet/location-status|4.0.1");
      assert.equal(await count('Location?name=Closed'), 0);
    });

    test('an extensible binding: a bad code of a system it draws from is refused; a coding of another system is allowed', async () => {
      const issue = refusal(await s.fhir('Location', { method: 'POST', body: location('Ward', [coding(ROLE_CODE, 'NOTACODE')]) }));
      assert.deepEqual(issue.expression, ['Location.type[0].coding[0]']);
      assert.ok(issue.diagnostics.includes(`Unknown code 'NOTACODE' in code system '${ROLE_CODE}'`), issue.diagnostics);
      assert.ok(issue.diagnostics.includes(LOCATION_TYPES), issue.diagnostics);
      assert.equal(await count('Location?name=Ward'), 0);
      // Satisfied by another system (a local one Huza does not hold, and a Rwandan one it does), or by the value set itself.
      for (const type of [coding('https://example.rw/location-kind', 'tent'), coding(FACILITY_TYPE, 'health-post'), coding(ROLE_CODE, 'HOSP')]) {
        const res = await s.fhir('Location', { method: 'POST', body: location('Ward', [type]) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      assert.equal(await count('Location?name=Ward'), 3);
    });

    test('valid codes are accepted, one by one and in a transaction; a wrong display is only a warning', async () => {
      const resources: Json[] = [
        location('Kinihira health centre', [coding(FACILITY_TYPE, 'health-centre', 'Health centre')]),
        { resourceType: 'Practitioner', qualification: [{ code: coding(CADRE, 'nurse-a1') }] },
        { resourceType: 'Observation', status: 'final', code: coding(CHW_REPORT, 'anc-pregnancy-identified'), valueQuantity: { value: 1, system: 'http://unitsofmeasure.org', code: '1' } },
      ];
      for (const resource of resources) {
        const res = await s.fhir(resource.resourceType, { method: 'POST', body: resource });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: resource.resourceType } })) };
      const tx = await s.fhir('', { method: 'POST', body: bundle });
      assert.equal(tx.status, 200, JSON.stringify(tx.body));

      const misnamed = location('Misnamed', [coding(FACILITY_TYPE, 'health-post', 'Hospital')]);
      assert.equal((await s.fhir('Location', { method: 'POST', body: misnamed })).status, 201);
      const checked = await s.fhir('Location/$validate', { method: 'POST', body: misnamed });
      assert.equal(checked.status, 200);
      const warning = checked.body.issue.find((i: Json) => i.severity === 'warning' && /Display 'Hospital'/.test(i.diagnostics));
      assert.ok(warning, JSON.stringify(checked.body));
      assert.deepEqual(warning.expression, ['Location.type[0].coding[0]']);
    });

    test('a refused entry refuses the whole transaction (nothing stored); in a batch it fails alone', async () => {
      const good = location('Batch good', [coding(FACILITY_TYPE, 'district-hospital')]);
      const bad = location('Batch bad', [coding(FACILITY_TYPE, 'castle')]);
      const entries = [good, bad].map((resource) => ({ resource, request: { method: 'POST', url: 'Location' } }));
      const tx = await s.fhir('', { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: entries } });
      assert.equal(tx.status, 400, JSON.stringify(tx.body));
      assert.match(JSON.stringify(tx.body), /Unknown code 'castle'/);
      assert.equal(await count('Location?name=Batch'), 0, 'nothing of the transaction stored');
      const batch = await s.fhir('', { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: entries } });
      assert.equal(batch.status, 200, JSON.stringify(batch.body));
      assert.deepEqual(batch.body.entry.map((e: Json) => e.response.status.split(' ')[0]), ['201', '400']);
      assert.equal(await count('Location?name=Batch'), 1);
    });

    test('a steward\'s code system in the store decides at once: new codes accepted after an edit, versions respected', async () => {
      const system = 'https://example.rw/fhir/CodeSystem/ward-kind';
      const cs: Json = { resourceType: 'CodeSystem', id: 'ward-kind', url: system, version: '1', status: 'active', content: 'complete', concept: [{ code: 'maternity' }] };
      assert.equal((await s.fhir('CodeSystem/ward-kind', { method: 'PUT', body: cs })).status, 201);
      refusal(await s.fhir('Location', { method: 'POST', body: location('Ward kind', [coding(system, 'paediatrics')]) }));
      cs.concept.push({ code: 'paediatrics' });
      assert.equal((await s.fhir('CodeSystem/ward-kind', { method: 'PUT', body: cs })).status, 200);
      assert.equal((await s.fhir('Location', { method: 'POST', body: location('Ward kind', [coding(system, 'paediatrics')]) })).status, 201);
      // A coding naming a version the server does not hold is not judged; a fragment is never complete enough to refuse.
      const other = { ...location('Ward kind'), type: [{ coding: [{ system, version: '2', code: 'surgery' }] }] };
      assert.equal((await s.fhir('Location', { method: 'POST', body: other })).status, 201);
      assert.equal((await s.fhir('CodeSystem/ward-kind', { method: 'PUT', body: { ...cs, content: 'fragment' } })).status, 200);
      assert.equal((await s.fhir('Location', { method: 'POST', body: location('Ward kind', [coding(system, 'surgery')]) })).status, 201);
    });

    test('a loaded release (concepts in terminology_concept under a not-present header) is checked code by code', async () => {
      const url = 'https://example.rw/fhir/CodeSystem/lab-release';
      for (const [seq, code] of ['100-1', '200-2', 'LP300-3'].entries()) {
        await s.db.query('INSERT INTO terminology_concept (system, version, code, seq, parent, concept) VALUES ($1, $2, $3, $4, NULL, $5)',
          [url, '7', code, seq, JSON.stringify({ code, display: `Test ${code}` })]);
      }
      const header = { resourceType: 'CodeSystem', id: 'lab-release', url, version: '7', status: 'active', caseSensitive: false, content: 'not-present', count: 3 };
      assert.equal((await s.fhir('CodeSystem/lab-release', { method: 'PUT', body: header })).status, 201);
      const observation = (code: string) => ({ resourceType: 'Observation', status: 'final', code: coding(url, code) });
      assert.equal((await s.fhir('Observation', { method: 'POST', body: observation('200-2') })).status, 201);
      // Not case-sensitive (as LOINC and ICD-10 are): another case of a code is that code.
      assert.equal((await s.fhir('Observation', { method: 'POST', body: observation('lp300-3') })).status, 201);
      const issue = refusal(await s.fhir('Observation', { method: 'POST', body: observation('300-3') }));
      assert.equal(issue.diagnostics, `Unknown code '300-3' in code system '${url}'`);
      assert.deepEqual(issue.expression, ['Observation.code.coding[0]']);
      // A header without concepts (known by name only) cannot refuse anything.
      const bare = { ...header, id: 'bare-release', url: 'https://example.rw/fhir/CodeSystem/bare' };
      assert.equal((await s.fhir('CodeSystem/bare-release', { method: 'PUT', body: bare })).status, 201);
      assert.equal((await s.fhir('Observation', { method: 'POST', body: { ...observation('x'), code: coding(bare.url, 'anything') } })).status, 201);
    });
  });
}
