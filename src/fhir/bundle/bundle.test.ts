import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';

type Json = any;

const system = 'urn:huza:bundle-test';
const patient = (value: string, extra: Record<string, unknown> = {}): Json => ({
  resourceType: 'Patient', identifier: [{ system, value }], name: [{ family: 'Habimana', given: ['Eric'] }], ...extra,
});
const observation = (subject: string, extra: Record<string, unknown> = {}): Json => ({
  resourceType: 'Observation', status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: subject },
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
  ...extra,
});
const transaction = (entry: Json[]): Json => ({ resourceType: 'Bundle', type: 'transaction', entry });
const batch = (entry: Json[]): Json => ({ resourceType: 'Bundle', type: 'batch', entry });
const post = (resource: Json, fullUrl?: string, extra: Json = {}): Json => ({
  ...(fullUrl ? { fullUrl } : {}), resource, request: { method: 'POST', url: resource.resourceType, ...extra },
});
const put = (resource: Json, url: string, fullUrl?: string, extra: Json = {}): Json => ({
  ...(fullUrl ? { fullUrl } : {}), resource, request: { method: 'PUT', url, ...extra },
});
const get = (url: string, extra: Json = {}): Json => ({ request: { method: 'GET', url, ...extra } });
const del = (url: string): Json => ({ request: { method: 'DELETE', url } });
const binaryPatch = (url: string, patch: unknown): Json => ({
  resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(patch)).toString('base64') },
  request: { method: 'PATCH', url },
});
const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function assertOutcome(res: { status: number; body: Json }, status: number, mention?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.resourceType, 'OperationOutcome', JSON.stringify(res.body));
  if (mention) {
    const text = res.body.issue.flatMap((i: Json) => [i.diagnostics ?? '', ...(i.expression ?? [])]).join(' ');
    assert.ok(text.includes(mention), `'${mention}' not in ${JSON.stringify(res.body)}`);
  }
}

for (const kind of testDatabaseKinds) {
  describe(`batch and transaction on ${kind.name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });
    const count = async (query: string) => (await s.fhir(`${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;
    // Patient history only: the audit trail grows on its own while the test runs.
    const historyTotal = async () => (await s.fhir('Patient/_history?_count=1')).body.total as number;
    const postBundle = (bundle: Json, headers: Record<string, string> = {}) => s.fhir('', { method: 'POST', body: bundle, headers });

    describe('transaction', () => {
      test('all or nothing: one bad entry refuses the whole Bundle, names the entry, and stores nothing', async () => {
        const before = await historyTotal();
        const res = await postBundle(transaction([
          post(patient('tx-aon-1'), uuid(1)),
          post(observation(uuid(1))),
          post(patient('tx-aon-2', { birthDate: 'not-a-date' })),
        ]));
        assertOutcome(res, 400, 'Bundle.entry[2]');
        const expressions = res.body.issue.flatMap((i: Json) => i.expression ?? []);
        assert.ok(expressions.some((e: string) => e.startsWith('Bundle.entry[2]') && e.includes('birthDate')), JSON.stringify(res.body));
        assert.equal(await count(`Patient?identifier=${system}|tx-aon-1`), 0);
        assert.equal(await count(`Patient?identifier=${system}|tx-aon-2`), 0);
        assert.equal(await historyTotal(), before, 'no version of anything was written');
      });

      test('a failing precondition late in processing rolls back the earlier writes', async () => {
        const existing = await s.fhir('Patient', { method: 'POST', body: patient('tx-rb-0') });
        const before = await historyTotal();
        const res = await postBundle(transaction([
          post(patient('tx-rb-1')),
          del(`Patient/${existing.body.id}`),
          put(patient('tx-rb-2', { id: `${existing.body.id}-other` }), `Patient/${existing.body.id}-other`, undefined, { ifMatch: 'W/"3"' }),
        ]));
        assertOutcome(res, 412, 'Bundle.entry[2]');
        assert.equal((await s.fhir(`Patient/${existing.body.id}`)).status, 200, 'the delete was rolled back');
        assert.equal(await count(`Patient?identifier=${system}|tx-rb-1`), 0);
        assert.equal(await historyTotal(), before);
      });

      test('urn:uuid references are rewritten, forward references included, and in the narrative', async () => {
        const res = await postBundle(transaction([
          post(observation(uuid(11), {
            text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">Heart rate of <a href="${uuid(11)}">the patient</a></div>` },
          }), uuid(12)),
          post(patient('tx-urn-1'), uuid(11)),
          post({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: uuid(11) } }, uuid(13)),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.type, 'transaction-response');
        const [obsEntry, patientEntry, encounterEntry] = res.body.entry;
        const patientId = patientEntry.resource.id;
        assert.match(patientEntry.response.location, new RegExp(`^Patient/${patientId}/_history/1$`));
        const obs = await s.fhir(obsEntry.response.location.replace(/\/_history\/.*/, ''));
        assert.equal(obs.body.subject.reference, `Patient/${patientId}`);
        assert.ok(obs.body.text.div.includes(`Patient/${patientId}`) && !obs.body.text.div.includes('urn:uuid'), obs.body.text.div);
        assert.equal(encounterEntry.resource.subject.reference, `Patient/${patientId}`);
        const search = await s.fhir(`Observation?subject=Patient/${patientId}`);
        assert.equal(search.body.total, 1, 'the index holds the rewritten reference');
      });

      test('relative references resolve against an entry\'s RESTful fullUrl', async () => {
        const res = await postBundle(transaction([
          post(patient('tx-rel-1'), 'http://other.example.org/fhir/Patient/p9'),
          post(observation('Patient/p9'), 'http://other.example.org/fhir/Observation/o9'),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const patientId = res.body.entry[0].resource.id;
        assert.notEqual(patientId, 'p9');
        assert.equal(res.body.entry[1].resource.subject.reference, `Patient/${patientId}`);
      });

      test('a PUT entry\'s fullUrl can be referred to', async () => {
        const res = await postBundle(transaction([
          put(patient('tx-put-1', { id: 'tx-put-1' }), 'Patient/tx-put-1', uuid(21)),
          post(observation(uuid(21))),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.entry[0].response.status, '201 Created');
        assert.equal(res.body.entry[1].resource.subject.reference, 'Patient/tx-put-1');
      });

      test('conditional references resolve to the one match; none or many refuse the transaction', async () => {
        const target = await s.fhir('Patient', { method: 'POST', body: patient('tx-cref-1') });
        const ok = await postBundle(transaction([post(observation(`Patient?identifier=${system}|tx-cref-1`))]));
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.entry[0].resource.subject.reference, `Patient/${target.body.id}`);

        const none = await postBundle(transaction([post(patient('tx-cref-x')), post(observation(`Patient?identifier=${system}|tx-cref-none`))]));
        assertOutcome(none, 412, 'Bundle.entry[1]');
        assert.equal(await count(`Patient?identifier=${system}|tx-cref-x`), 0);

        await s.fhir('Patient', { method: 'POST', body: patient('tx-cref-2') });
        await s.fhir('Patient', { method: 'POST', body: patient('tx-cref-2') });
        const many = await postBundle(transaction([post(observation(`Patient?identifier=${system}|tx-cref-2`))]));
        assertOutcome(many, 412, 'Bundle.entry[0]');

        const bad = await postBundle(transaction([post(observation('Patient?nonsense=1'))]));
        assertOutcome(bad, 400, 'Bundle.entry[0]');
      });

      test('processing order: deletes, then creates, then updates, then reads', async () => {
        const old = await s.fhir('Patient', { method: 'POST', body: patient('tx-ord-1') });
        const toUpdate = await s.fhir('Patient', { method: 'POST', body: patient('tx-ord-3') });
        const res = await postBundle(transaction([
          get(`Patient?identifier=${system}|tx-ord-2`),
          get(`Patient/${toUpdate.body.id}`),
          put({ ...toUpdate.body, gender: 'female' }, `Patient/${toUpdate.body.id}`),
          post(patient('tx-ord-2'), uuid(31)),
          // After the delete runs, nothing matches this any more, so it creates.
          post(patient('tx-ord-1'), undefined, { ifNoneExist: `identifier=${system}|tx-ord-1` }),
          del(`Patient/${old.body.id}`),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const [search, read, update, create, conditional, deletion] = res.body.entry;
        assert.equal(search.response.status, '200 OK');
        assert.equal(search.resource.type, 'searchset');
        assert.equal(search.resource.total, 1, 'the GET sees the POSTed resource');
        assert.equal(search.resource.entry[0].resource.id, create.resource.id);
        assert.equal(read.resource.gender, 'female', 'the GET sees the PUT');
        assert.equal(read.resource.meta.versionId, '2');
        assert.equal(update.response.status, '200 OK');
        assert.equal(create.response.status, '201 Created');
        assert.equal(conditional.response.status, '201 Created');
        assert.notEqual(conditional.resource.id, old.body.id);
        assert.ok(deletion.response.status.startsWith('204') || deletion.response.status.startsWith('200'), deletion.response.status);
        assert.equal((await s.fhir(`Patient/${old.body.id}`)).status, 410);
      });

      test('conditional create: an existing match is returned (200) and references point at it', async () => {
        const existing = await s.fhir('Patient', { method: 'POST', body: patient('tx-inx-1') });
        const res = await postBundle(transaction([
          post(patient('tx-inx-1', { gender: 'male' }), uuid(41), { ifNoneExist: `identifier=${system}|tx-inx-1` }),
          post(patient('tx-inx-2'), uuid(42), { ifNoneExist: `identifier=${system}|tx-inx-2` }),
          post(observation(uuid(41))),
          post(observation(uuid(42))),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const [matched, created, obs1, obs2] = res.body.entry;
        assert.equal(matched.response.status, '200 OK');
        assert.equal(matched.resource.id, existing.body.id);
        assert.equal(matched.resource.gender, undefined, 'the existing resource is not changed');
        assert.equal(matched.response.location, `Patient/${existing.body.id}/_history/1`);
        assert.equal(created.response.status, '201 Created');
        assert.equal(obs1.resource.subject.reference, `Patient/${existing.body.id}`);
        assert.equal(obs2.resource.subject.reference, `Patient/${created.resource.id}`);
        assert.equal(await count(`Patient?identifier=${system}|tx-inx-1`), 1);
        // The "Type?criteria" form of If-None-Exist names the same search.
        const typed = await postBundle(transaction([post(patient('tx-inx-1'), undefined, { ifNoneExist: `Patient?identifier=${system}|tx-inx-1` })]));
        assert.equal(typed.body.entry[0].response.status, '200 OK');
        await s.fhir('Patient', { method: 'POST', body: patient('tx-inx-1') });
        const ambiguous = await postBundle(transaction([post(patient('tx-inx-1'), undefined, { ifNoneExist: `identifier=${system}|tx-inx-1` })]));
        assertOutcome(ambiguous, 412, 'Bundle.entry[0]');
      });

      test('conditional update entries: a match is updated, no match creates, and others can refer to it', async () => {
        const existing = await s.fhir('Patient', { method: 'POST', body: patient('tx-cu-1') });
        const res = await postBundle(transaction([
          put(patient('tx-cu-1', { gender: 'female' }), `Patient?identifier=${system}|tx-cu-1`, uuid(51)),
          put(patient('tx-cu-2'), `Patient?identifier=${system}|tx-cu-2`, uuid(52)),
          post(observation(uuid(51))),
          post(observation(uuid(52))),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const [updated, created, obs1, obs2] = res.body.entry;
        assert.equal(updated.response.status, '200 OK');
        assert.equal(updated.resource.id, existing.body.id);
        assert.equal(updated.resource.meta.versionId, '2');
        assert.equal(created.response.status, '201 Created');
        assert.equal(obs1.resource.subject.reference, `Patient/${existing.body.id}`);
        assert.equal(obs2.resource.subject.reference, `Patient/${created.resource.id}`);
      });

      test('PATCH entries carry a JSON Patch in a Binary', async () => {
        const target = await s.fhir('Patient', { method: 'POST', body: patient('tx-patch-1') });
        const res = await postBundle(transaction([binaryPatch(`Patient/${target.body.id}`, [{ op: 'add', path: '/gender', value: 'other' }])]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.entry[0].response.status, '200 OK');
        assert.equal(res.body.entry[0].response.etag, 'W/"2"');
        assert.equal((await s.fhir(`Patient/${target.body.id}`)).body.gender, 'other');

        const failing = await postBundle(transaction([
          post(patient('tx-patch-2')),
          binaryPatch(`Patient/${target.body.id}`, [{ op: 'test', path: '/gender', value: 'male' }, { op: 'remove', path: '/gender' }]),
        ]));
        assert.ok(failing.status >= 400 && failing.status < 500, String(failing.status));
        assertOutcome(failing, failing.status, 'Bundle.entry[1]');
        assert.equal(await count(`Patient?identifier=${system}|tx-patch-2`), 0);
        const notBinary = await postBundle(transaction([{ resource: patient('x'), request: { method: 'PATCH', url: `Patient/${target.body.id}` } }]));
        assertOutcome(notBinary, 400, 'Bundle.entry[0]');
        const notJson = await postBundle(transaction([{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from('nope').toString('base64') }, request: { method: 'PATCH', url: `Patient/${target.body.id}` } }]));
        assertOutcome(notJson, 400, 'Bundle.entry[0]');
        assert.equal((await s.fhir(`Patient/${target.body.id}`)).body.meta.versionId, '2');
      });

      test('two entries changing the same resource are refused', async () => {
        const target = await s.fhir('Patient', { method: 'POST', body: patient('tx-dup-1') });
        const id = target.body.id;
        assertOutcome(await postBundle(transaction([put({ ...target.body, gender: 'male' }, `Patient/${id}`), del(`Patient/${id}`)])), 400, 'Bundle.entry[1]');
        assertOutcome(await postBundle(transaction([put({ ...target.body, gender: 'male' }, `Patient/${id}`), binaryPatch(`Patient/${id}`, [{ op: 'remove', path: '/name' }])])), 400);
        assertOutcome(await postBundle(transaction([
          put({ ...target.body, gender: 'male' }, `Patient/${id}`),
          put(patient('tx-dup-1', { gender: 'female' }), `Patient?identifier=${system}|tx-dup-1`),
        ])), 400);
        const after = await s.fhir(`Patient/${id}`);
        assert.equal(after.body.meta.versionId, '1');
      });

      test('response: transaction-response in entry order, with statuses, locations, etags and lastModified', async () => {
        const existing = await s.fhir('Patient', { method: 'POST', body: patient('tx-resp-1') });
        const res = await postBundle(transaction([
          get(`Patient/${existing.body.id}`),
          post(patient('tx-resp-2')),
          put({ ...existing.body, gender: 'male' }, `Patient/${existing.body.id}`),
          put(patient('tx-resp-3', { id: 'tx-resp-3' }), 'Patient/tx-resp-3'),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.resourceType, 'Bundle');
        assert.equal(res.body.type, 'transaction-response');
        assert.equal(res.body.entry.length, 4);
        const [read, created, updated, createdByPut] = res.body.entry;
        assert.equal(read.response.status, '200 OK');
        assert.equal(read.resource.id, existing.body.id);
        assert.equal(read.resource.meta.versionId, '2', 'reads run last, after the PUT of the same resource');
        assert.equal(created.response.status, '201 Created');
        assert.match(created.response.location, /^Patient\/[A-Za-z0-9\-.]+\/_history\/1$/);
        assert.equal(created.response.etag, 'W/"1"');
        assert.ok(!Number.isNaN(Date.parse(created.response.lastModified)));
        assert.equal(created.fullUrl, `${s.fhirBase}/${created.response.location.replace(/\/_history\/.*/, '')}`);
        assert.equal(updated.response.status, '200 OK');
        assert.equal(updated.response.etag, 'W/"2"');
        assert.equal(createdByPut.response.status, '201 Created');
        assert.equal(createdByPut.response.location, 'Patient/tx-resp-3/_history/1');
        const minimal = await postBundle(transaction([post(patient('tx-resp-4'))]), { prefer: 'return=minimal' });
        assert.equal(minimal.body.entry[0].resource, undefined);
        assert.ok(minimal.body.entry[0].response.location);
      });

      test('entry URLs: our absolute base is accepted, another server\'s is refused', async () => {
        const ok = await postBundle(transaction([put(patient('tx-abs-1', { id: 'tx-abs-1' }), `${s.fhirBase}/Patient/tx-abs-1`)]));
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.entry[0].response.location, 'Patient/tx-abs-1/_history/1');
        assertOutcome(await postBundle(transaction([put(patient('tx-abs-2', { id: 'tx-abs-2' }), 'http://elsewhere.example.org/fhir/Patient/tx-abs-2')])), 400, 'Bundle.entry[0]');
        assertOutcome(await postBundle(transaction([{ resource: patient('x'), request: { url: 'Patient' } }])), 400, 'Bundle.entry[0]');
        assertOutcome(await postBundle(transaction([{ resource: patient('x'), request: { method: 'FETCH', url: 'Patient' } }])), 400, 'Bundle.entry[0]');
        assertOutcome(await postBundle(transaction([{ request: { method: 'POST', url: 'Patient' } }])), 400, 'Bundle.entry[0]');
        assertOutcome(await postBundle(transaction([post(observation('Patient/x', { resourceType: 'Observation' }), undefined, { url: 'Patient' })])), 400, 'Bundle.entry[0]');
      });

      test('an empty transaction is answered with an empty response', async () => {
        const res = await postBundle(transaction([]));
        assert.equal(res.status, 200);
        assert.equal(res.body.type, 'transaction-response');
        assert.deepEqual(res.body.entry ?? [], []);
      });
    });

    describe('concurrency', () => {
      test('parallel transactions with the same conditional create store the resource once', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => postBundle(transaction([
          post(patient('tx-par-1'), uuid(71), { ifNoneExist: `identifier=${system}|tx-par-1` }),
          post(observation(uuid(71), { valueQuantity: { value: 60 + i, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } })),
        ]))));
        assert.deepEqual(results.map((r) => r.status), Array(10).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.body));
        assert.equal(await count(`Patient?identifier=${system}|tx-par-1`), 1);
        const patientId = results[0].body.entry[0].resource.id;
        assert.ok(results.every((r) => r.body.entry[1].resource.subject.reference === `Patient/${patientId}`));
        assert.equal(await count(`Observation?subject=Patient/${patientId}`), 10);
      });

      test('transactions taking the same conditions in opposite orders do not deadlock', async () => {
        const a = () => postBundle(transaction([
          post(patient('tx-dl-a'), undefined, { ifNoneExist: `identifier=${system}|tx-dl-a` }),
          post(patient('tx-dl-b'), undefined, { ifNoneExist: `identifier=${system}|tx-dl-b` }),
        ]));
        const b = () => postBundle(transaction([
          post(patient('tx-dl-b'), undefined, { ifNoneExist: `identifier=${system}|tx-dl-b` }),
          post(patient('tx-dl-a'), undefined, { ifNoneExist: `identifier=${system}|tx-dl-a` }),
        ]));
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a() : b())));
        assert.deepEqual(results.map((r) => r.status), Array(10).fill(200));
        assert.equal(await count(`Patient?identifier=${system}|tx-dl-a`), 1);
        assert.equal(await count(`Patient?identifier=${system}|tx-dl-b`), 1);
      });
    });

    describe('batch', () => {
      test('entries stand alone: failures do not affect the others, each has its status and outcome', async () => {
        const existing = await s.fhir('Patient', { method: 'POST', body: patient('b-1') });
        const res = await postBundle(batch([
          post(patient('b-2')),
          post(patient('b-3', { birthDate: 'soon' })),
          get('Patient/b-missing'),
          put(patient('b-4', { id: 'b-4' }), 'Patient/b-4'),
          del(`Patient/${existing.body.id}`),
          { resource: patient('b-5'), request: { url: 'Patient' } },
          put({ ...existing.body }, `Patient/${existing.body.id}`, undefined, { ifMatch: 'W/"9"' }),
          get(`Patient?identifier=${system}|b-2`),
        ]));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.type, 'batch-response');
        const statuses = res.body.entry.map((e: Json) => e.response.status.split(' ')[0]);
        assert.deepEqual(statuses, ['201', '400', '404', '201', '204', '400', '412', '200']);
        const bad = res.body.entry[1];
        assert.equal(bad.response.outcome.resourceType, 'OperationOutcome');
        assert.ok(bad.response.outcome.issue.some((i: Json) => (i.expression ?? []).some((e: string) => e.includes('birthDate'))), JSON.stringify(bad));
        assert.equal(bad.resource, undefined);
        assert.equal(res.body.entry[2].response.outcome.resourceType, 'OperationOutcome');
        assert.equal(res.body.entry[5].response.outcome.resourceType, 'OperationOutcome');
        assert.equal(res.body.entry[0].response.etag, 'W/"1"');
        assert.match(res.body.entry[0].response.location, /^Patient\/[^/]+\/_history\/1$/);
        assert.equal(await count(`Patient?identifier=${system}|b-2`), 1);
        assert.equal(await count(`Patient?identifier=${system}|b-3`), 0);
        assert.equal((await s.fhir('Patient/b-4')).status, 200);
        assert.equal((await s.fhir(`Patient/${existing.body.id}`)).status, 410);
      });

      test('batch entries do not see each other\'s urn:uuid', async () => {
        const res = await postBundle(batch([post(patient('b-urn-1'), uuid(61)), post(observation(uuid(61)))]));
        assert.equal(res.status, 200);
        assert.equal(res.body.entry[0].response.status, '201 Created');
        // An unresolvable urn:uuid reference is the entry's own problem (refused or kept as written), never another entry's.
        const second = res.body.entry[1];
        assert.ok(['201', '400'].includes(second.response.status.split(' ')[0]), JSON.stringify(second));
      });
    });

    describe('refusals', () => {
      test('a nested batch or transaction is refused', async () => {
        const inner = batch([post(patient('nested-1'))]);
        for (const url of ['/', '', '//', `${s.fhirBase}/`]) {
          const res = await postBundle(transaction([{ resource: inner, request: { method: 'POST', url } }]));
          assertOutcome(res, 400, 'Bundle.entry[0]');
        }
        const inBatch = await postBundle(batch([post(patient('nested-2')), { resource: inner, request: { method: 'POST', url: '/' } }]));
        assert.equal(inBatch.status, 200);
        assert.equal(inBatch.body.entry[0].response.status, '201 Created');
        assert.equal(inBatch.body.entry[1].response.status.split(' ')[0], '400');
        assert.equal(await count(`Patient?identifier=${system}|nested-1`), 0);
      });

      test('a Bundle that is not a batch or transaction, or not a Bundle, posted to the base is 400', async () => {
        assertOutcome(await postBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('coll-1') }] }), 400, 'Bundle.type');
        assertOutcome(await postBundle({ resourceType: 'Bundle', type: 'document', entry: [] }), 400);
        assertOutcome(await postBundle({ resourceType: 'Bundle', entry: [] }), 400);
        assertOutcome(await postBundle(patient('not-a-bundle')), 400);
        assertOutcome(await postBundle({ resourceType: 'Bundle', type: 'transaction', entry: 'nope' }), 400);
        assertOutcome(await s.fhir('', { method: 'POST', body: '{"resourceType":"Bundle",' }), 400);
        assert.equal(await count(`Patient?identifier=${system}|coll-1`), 0);
      });

      test('a Bundle of type collection is stored as a resource at the Bundle endpoint', async () => {
        const res = await s.fhir('Bundle', { method: 'POST', body: { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'http://example.org/fhir/Patient/1', resource: patient('coll-2', { id: '1' }) }] } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(await count(`Patient?identifier=${system}|coll-2`), 0, 'its entries are not processed');
      });
    });
  });
}
