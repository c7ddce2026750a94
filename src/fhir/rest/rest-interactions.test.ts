import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { followPages } from '../../test-support/follow-pages.ts';
import { serve, startTestServer, type TestServer } from '../../test-support/test-server.ts';

type Json = any;

const patient = (extra: Record<string, unknown> = {}): Json => ({ resourceType: 'Patient', name: [{ family: 'Uwase', given: ['Aline'] }], ...extra });
const identified = (value: string, extra: Record<string, unknown> = {}): Json =>
  patient({ identifier: [{ system: 'urn:huza:test', value }], ...extra });

function assertOutcome(res: { status: number; body: Json }, status: number, diagnostics?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.resourceType, 'OperationOutcome', JSON.stringify(res.body));
  assert.ok(res.body.issue.length > 0);
  if (diagnostics) assert.match(res.body.issue.map((i: Json) => i.diagnostics).join(' | '), diagnostics);
}

const allPages = (s: TestServer, first: Json) => followPages((path) => s.fhir(path), first);

for (const kind of testDatabaseKinds) {
  describe(`REST interactions on ${kind.name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });

    describe('create, read, vread, update', () => {
      test('create: 201 with Location, ETag, Last-Modified; the body id is ignored', async () => {
        const res = await s.fhir('Patient', { method: 'POST', body: patient({ id: 'client-chosen' }) });
        assert.equal(res.status, 201);
        const id = res.body.id;
        assert.notEqual(id, 'client-chosen');
        assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/);
        assert.equal(res.headers.get('location'), `${s.fhirBase}/Patient/${id}/_history/1`);
        assert.equal(res.headers.get('etag'), 'W/"1"');
        const lastModified = res.headers.get('last-modified');
        assert.ok(lastModified && !Number.isNaN(Date.parse(lastModified)));
        assert.equal(res.body.meta.versionId, '1');
        assert.ok(Math.abs(Date.parse(res.body.meta.lastUpdated) - Date.now()) < 60_000);
        assert.equal((await s.fhir('Patient/client-chosen')).status, 404);
      });

      test('ids the server assigns are time-ordered UUIDs: a later create sorts after an earlier one', async () => {
        const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
        const first = await s.fhir('Patient', { method: 'POST', body: patient() });
        await new Promise((resolve) => setTimeout(resolve, 2));
        const bundle = await s.fhir('', { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:0b8f2d7e-8f54-4c52-9d0b-3c1f5e0d2a11', resource: patient(), request: { method: 'POST', url: 'Patient' } }] } });
        assert.equal(bundle.status, 200, JSON.stringify(bundle.body));
        const second = bundle.body.entry[0].response.location.split('/')[1];
        assert.match(first.body.id, v7);
        assert.match(second, v7);
        assert.ok(second > first.body.id, `${second} should sort after ${first.body.id}`);
      });

      test('read returns the stored resource with its version headers', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient({ gender: 'female' }) });
        const res = await s.fhir(`Patient/${created.body.id}`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, created.body);
        assert.equal(res.headers.get('etag'), 'W/"1"');
        assert.equal(res.headers.get('last-modified'), created.headers.get('last-modified'));
        assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
      });

      test('read of an unknown or malformed id is 404 with an OperationOutcome', async () => {
        assertOutcome(await s.fhir('Patient/does-not-exist'), 404);
        assertOutcome(await s.fhir('Patient/bad_id!'), 404);
        assertOutcome(await s.fhir(`Patient/${'a'.repeat(65)}`), 404);
      });

      test('update: 200 and a new version; vread reads each version', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const updated = await s.fhir(`Patient/${id}`, { method: 'PUT', body: { ...created.body, gender: 'female' } });
        assert.equal(updated.status, 200);
        assert.equal(updated.headers.get('etag'), 'W/"2"');
        assert.equal(updated.body.meta.versionId, '2');
        assert.equal(updated.body.gender, 'female');
        const v1 = await s.fhir(`Patient/${id}/_history/1`);
        assert.equal(v1.status, 200);
        assert.equal(v1.body.gender, undefined);
        assert.equal(v1.headers.get('etag'), 'W/"1"');
        const v2 = await s.fhir(`Patient/${id}/_history/2`);
        assert.deepEqual(v2.body, updated.body);
        assertOutcome(await s.fhir(`Patient/${id}/_history/3`), 404);
        assertOutcome(await s.fhir(`Patient/${id}/_history/abc`), 404);
        assertOutcome(await s.fhir('Patient/nobody/_history/1'), 404);
      });

      test('update-as-create with a client id is 201 with Location', async () => {
        const res = await s.fhir('Patient/client-id-1', { method: 'PUT', body: patient({ id: 'client-id-1' }) });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get('location'), `${s.fhirBase}/Patient/client-id-1/_history/1`);
        assert.equal(res.body.id, 'client-id-1');
        assert.equal((await s.fhir('Patient/client-id-1')).status, 200);
      });

      test('an update that changes nothing keeps the version', async () => {
        const created = await s.fhir('Patient/same-1', { method: 'PUT', body: patient({ id: 'same-1' }) });
        const again = await s.fhir('Patient/same-1', { method: 'PUT', body: patient({ id: 'same-1' }) });
        assert.equal(again.status, 200);
        assert.equal(again.body.meta.versionId, created.body.meta.versionId);
      });
    });

    describe('conditional interactions', () => {
      test('conditional create: no match 201, one match 200 with the existing resource, two matches 412', async () => {
        const first = await s.fhir('Patient', { method: 'POST', body: identified('cc-1'), headers: { 'if-none-exist': 'identifier=urn:huza:test|cc-1' } });
        assert.equal(first.status, 201);
        const second = await s.fhir('Patient', { method: 'POST', body: identified('cc-1', { gender: 'male' }), headers: { 'if-none-exist': 'identifier=urn:huza:test|cc-1' } });
        assert.equal(second.status, 200);
        assert.equal(second.body.id, first.body.id);
        assert.equal(second.body.gender, undefined, 'the existing resource is returned unchanged');
        assert.equal(second.body.meta.versionId, '1');
        const search = await s.fhir('Patient?identifier=urn:huza:test|cc-1');
        assert.equal(search.body.total, 1);
        await s.fhir('Patient', { method: 'POST', body: identified('cc-1') });
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: identified('cc-1'), headers: { 'if-none-exist': 'identifier=urn:huza:test|cc-1' } }), 412);
        assert.equal((await s.fhir('Patient?identifier=urn:huza:test|cc-1')).body.total, 2);
      });

      test('conditional create with unknown criteria is refused', async () => {
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: patient(), headers: { 'if-none-exist': 'nonsense=1' } }), 400);
      });

      test('criteria that filter nothing are refused, not applied to whatever exists', async () => {
        const only = await s.fhir('Practitioner', { method: 'POST', body: { resourceType: 'Practitioner', name: [{ family: 'Only' }] } });
        assertOutcome(await s.fhir('Practitioner?identifier=', { method: 'PUT', body: { resourceType: 'Practitioner', name: [{ family: 'Overwritten' }] } }), 400, /at least one search parameter/);
        assertOutcome(await s.fhir('Practitioner?_count=1', { method: 'DELETE' }), 400);
        assertOutcome(await s.fhir('Practitioner', { method: 'POST', body: { resourceType: 'Practitioner' }, headers: { 'if-none-exist': '_count=1' } }), 400);
        assert.equal((await s.fhir(`Practitioner/${only.body.id}`)).body.name[0].family, 'Only');
      });

      test('conditional update: no match creates, one match updates, many is 412, an id mismatch 400', async () => {
        const created = await s.fhir('Patient?identifier=urn:huza:test|cu-1', { method: 'PUT', body: identified('cu-1') });
        assert.equal(created.status, 201);
        assert.ok(created.headers.get('location'));
        const id = created.body.id;
        const updated = await s.fhir('Patient?identifier=urn:huza:test|cu-1', { method: 'PUT', body: identified('cu-1', { gender: 'female' }) });
        assert.equal(updated.status, 200);
        assert.equal(updated.body.id, id);
        assert.equal(updated.body.meta.versionId, '2');
        const withSameId = await s.fhir('Patient?identifier=urn:huza:test|cu-1', { method: 'PUT', body: identified('cu-1', { id, gender: 'male' }) });
        assert.equal(withSameId.status, 200);
        assert.equal(withSameId.body.meta.versionId, '3');
        assertOutcome(await s.fhir('Patient?identifier=urn:huza:test|cu-1', { method: 'PUT', body: identified('cu-1', { id: 'other-id' }) }), 400);
        await s.fhir('Patient', { method: 'POST', body: identified('cu-1') });
        assertOutcome(await s.fhir('Patient?identifier=urn:huza:test|cu-1', { method: 'PUT', body: identified('cu-1') }), 412);
        assert.equal((await s.fhir(`Patient/${id}`)).body.meta.versionId, '3');
      });

      test('conditional delete: one match deleted, many 412, none 204', async () => {
        const one = await s.fhir('Patient', { method: 'POST', body: identified('cd-1') });
        const del = await s.fhir('Patient?identifier=urn:huza:test|cd-1', { method: 'DELETE' });
        assert.ok(del.status === 200 || del.status === 204, String(del.status));
        assert.equal((await s.fhir(`Patient/${one.body.id}`)).status, 410);
        await s.fhir('Patient', { method: 'POST', body: identified('cd-2') });
        await s.fhir('Patient', { method: 'POST', body: identified('cd-2') });
        assertOutcome(await s.fhir('Patient?identifier=urn:huza:test|cd-2', { method: 'DELETE' }), 412);
        assert.equal((await s.fhir('Patient?identifier=urn:huza:test|cd-2')).body.total, 2);
        const none = await s.fhir('Patient?identifier=urn:huza:test|cd-none', { method: 'DELETE' });
        assert.ok(none.status === 200 || none.status === 204 || none.status === 404, String(none.status));
        assertOutcome(await s.fhir('Patient', { method: 'DELETE' }), 400);
      });
    });

    describe('JSON Patch', () => {
      const patchHeaders = { 'content-type': 'application/json-patch+json' };

      test('a JSON Patch makes a new version', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const res = await s.fhir(`Patient/${id}`, {
          method: 'PATCH', headers: patchHeaders,
          body: [{ op: 'add', path: '/gender', value: 'female' }, { op: 'replace', path: '/name/0/family', value: 'Mukamana' }],
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.headers.get('etag'), 'W/"2"');
        assert.equal(res.body.gender, 'female');
        assert.equal(res.body.name[0].family, 'Mukamana');
        assert.equal((await s.fhir(`Patient/${id}`)).body.name[0].family, 'Mukamana');
      });

      test('bad patches are refused and change nothing', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: { op: 'add' } }), 400);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: [{ op: 'frobnicate', path: '/gender' }] }), 400);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: [{ op: 'remove', path: '/nothing/here' }] }), 400);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: '[{"op":' }), 400);
        const failedTest = await s.fhir(`Patient/${id}`, {
          method: 'PATCH', headers: patchHeaders,
          body: [{ op: 'test', path: '/name/0/family', value: 'Someone else' }, { op: 'add', path: '/gender', value: 'male' }],
        });
        assert.ok(failedTest.status >= 400 && failedTest.status < 500, String(failedTest.status));
        assert.equal(failedTest.body.resourceType, 'OperationOutcome');
        // The result must still be a valid resource.
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: [{ op: 'add', path: '/gender', value: 'bogus' }] }), 400);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: patchHeaders, body: [{ op: 'replace', path: '/id', value: 'other' }] }), 400);
        // A FHIR resource is not a patch document.
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', body: patient() }), 415);
        const after = await s.fhir(`Patient/${id}`);
        assert.deepEqual(after.body, created.body);
        const history = await s.fhir(`Patient/${id}/_history`);
        assert.equal(history.body.total, 1);
      });

      test('conditional patch: one match is patched, none or many refused', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: identified('cp-1') });
        const res = await s.fhir('Patient?identifier=urn:huza:test|cp-1', { method: 'PATCH', headers: patchHeaders, body: [{ op: 'add', path: '/gender', value: 'female' }] });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.id, created.body.id);
        assert.equal(res.body.gender, 'female');
        assertOutcome(await s.fhir('Patient?identifier=urn:huza:test|cp-none', { method: 'PATCH', headers: patchHeaders, body: [{ op: 'add', path: '/gender', value: 'female' }] }), 412);
        await s.fhir('Patient', { method: 'POST', body: identified('cp-1') });
        assertOutcome(await s.fhir('Patient?identifier=urn:huza:test|cp-1', { method: 'PATCH', headers: patchHeaders, body: [{ op: 'add', path: '/gender', value: 'male' }] }), 412);
        assert.equal((await s.fhir(`Patient/${created.body.id}`)).body.gender, 'female');
      });

      test('a passing test op lets the patch through; a stale If-Match refuses it', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const ok = await s.fhir(`Patient/${id}`, {
          method: 'PATCH', headers: { ...patchHeaders, 'if-match': 'W/"1"' },
          body: [{ op: 'test', path: '/name/0/family', value: 'Uwase' }, { op: 'add', path: '/gender', value: 'male' }],
        });
        assert.equal(ok.status, 200);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PATCH', headers: { ...patchHeaders, 'if-match': 'W/"1"' }, body: [{ op: 'remove', path: '/gender' }] }), 412);
        assert.equal((await s.fhir(`Patient/${id}`)).body.gender, 'male');
        assertOutcome(await s.fhir('Patient/not-there', { method: 'PATCH', headers: patchHeaders, body: [{ op: 'remove', path: '/gender' }] }), 404);
      });
    });

    describe('delete', () => {
      test('204, then read 410; history kept; old versions readable; re-create continues the versions', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        await s.fhir(`Patient/${id}`, { method: 'PUT', body: { ...created.body, gender: 'male' } });
        const del = await s.fhir(`Patient/${id}`, { method: 'DELETE' });
        assert.equal(del.status, 204);
        assert.equal(del.body, undefined);
        assertOutcome(await s.fhir(`Patient/${id}`), 410);
        const again = await s.fhir(`Patient/${id}`, { method: 'DELETE' });
        assert.ok(again.status === 200 || again.status === 204);
        const history = await s.fhir(`Patient/${id}/_history`);
        assert.equal(history.status, 200);
        assert.equal(history.body.total, 3);
        assert.deepEqual(history.body.entry.map((e: Json) => e.request.method), ['DELETE', 'PUT', 'POST']);
        assert.equal(history.body.entry[0].resource, undefined);
        assert.equal((await s.fhir(`Patient/${id}/_history/1`)).status, 200);
        assert.equal((await s.fhir(`Patient/${id}/_history/2`)).body.gender, 'male');
        assertOutcome(await s.fhir(`Patient/${id}/_history/3`), 410);
        const search = await s.fhir(`Patient?_id=${id}`);
        assert.equal(search.body.total, 0);
        const recreated = await s.fhir(`Patient/${id}`, { method: 'PUT', body: patient({ id }) });
        assert.equal(recreated.status, 201);
        assert.equal(recreated.body.meta.versionId, '4');
        assert.equal(recreated.headers.get('etag'), 'W/"4"');
        assert.equal((await s.fhir(`Patient/${id}`)).status, 200);
        assert.equal((await s.fhir(`Patient?_id=${id}`)).body.total, 1);
      });

      test('deleting an unknown resource succeeds without effect; an unknown type is 404', async () => {
        const res = await s.fhir('Patient/never-was', { method: 'DELETE' });
        assert.ok(res.status === 200 || res.status === 204 || res.status === 404, String(res.status));
        assertOutcome(await s.fhir('Nonsense/1', { method: 'DELETE' }), 404);
      });
    });

    describe('versioning headers', () => {
      test('If-Match: current wins, stale 412, malformed 400', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const ok = await s.fhir(`Patient/${id}`, { method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: { ...created.body, gender: 'female' } });
        assert.equal(ok.status, 200);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: { ...created.body, gender: 'male' } }), 412);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PUT', headers: { 'if-match': 'not-an-etag' }, body: { ...created.body, gender: 'male' } }), 400);
        assertOutcome(await s.fhir(`Patient/${id}`, { method: 'PUT', headers: { 'if-match': 'W/"x"' }, body: { ...created.body, gender: 'male' } }), 400);
        assertOutcome(await s.fhir('Patient/if-match-new', { method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: patient({ id: 'if-match-new' }) }), 412);
        const current = await s.fhir(`Patient/${id}`);
        assert.equal(current.body.gender, 'female');
        assert.equal(current.body.meta.versionId, '2');
      });

      test('If-None-Match with the current ETag is 304; If-Modified-Since too', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const notModified = await s.fhir(`Patient/${id}`, { headers: { 'if-none-match': 'W/"1"' } });
        assert.equal(notModified.status, 304);
        assert.equal(notModified.body, undefined);
        assert.equal(notModified.headers.get('etag'), 'W/"1"');
        assert.equal((await s.fhir(`Patient/${id}`, { headers: { 'if-none-match': 'W/"7"' } })).status, 200);
        const lastModified = created.headers.get('last-modified') as string;
        assert.equal((await s.fhir(`Patient/${id}`, { headers: { 'if-modified-since': lastModified } })).status, 304);
        assert.equal((await s.fhir(`Patient/${id}`, { headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).status, 200);
      });

      test('Prefer return=minimal, representation and OperationOutcome', async () => {
        const minimal = await s.fhir('Patient', { method: 'POST', body: patient(), headers: { prefer: 'return=minimal' } });
        assert.equal(minimal.status, 201);
        assert.equal(minimal.body, undefined);
        assert.ok(minimal.headers.get('location'));
        assert.equal(minimal.headers.get('etag'), 'W/"1"');
        const representation = await s.fhir('Patient', { method: 'POST', body: patient(), headers: { prefer: 'return=representation' } });
        assert.equal(representation.body.resourceType, 'Patient');
        const oo = await s.fhir('Patient', { method: 'POST', body: patient(), headers: { prefer: 'return=OperationOutcome' } });
        assert.equal(oo.status, 201);
        assert.equal(oo.body.resourceType, 'OperationOutcome');
        assert.equal(oo.body.issue[0].severity, 'information');
        const id = representation.body.id;
        const updateMinimal = await s.fhir(`Patient/${id}`, { method: 'PUT', body: { ...representation.body, gender: 'other' }, headers: { prefer: 'return=minimal' } });
        assert.equal(updateMinimal.status, 200);
        assert.equal(updateMinimal.body, undefined);
        assert.equal(updateMinimal.headers.get('etag'), 'W/"2"');
      });
    });

    describe('_summary and _elements', () => {
      const full = patient({
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Aline Uwase</div>' },
        identifier: [{ system: 'urn:huza:test', value: 'sum-1' }],
        gender: 'female', birthDate: '1990-04-01',
        maritalStatus: { text: 'Married' },
        communication: [{ language: { text: 'Kinyarwanda' } }],
        link: [{ other: { reference: 'Patient/someone' }, type: 'seealso' }],
      });
      const subsetted = (r: Json) => (r.meta?.tag ?? []).some((t: Json) => t.code === 'SUBSETTED' && t.system === 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue');

      test('_summary=true keeps summary elements; text keeps the narrative; data drops it; all are SUBSETTED', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: full });
        const id = created.body.id;
        const summary = (await s.fhir(`Patient/${id}?_summary=true`)).body;
        assert.ok(subsetted(summary));
        assert.equal(summary.id, id);
        assert.deepEqual(summary.name, full.name);
        assert.equal(summary.gender, 'female');
        assert.equal(summary.birthDate, '1990-04-01');
        assert.equal(summary.text, undefined);
        assert.equal(summary.maritalStatus, undefined);
        assert.equal(summary.communication, undefined);
        assert.ok(summary.link, 'Patient.link is a summary element (and a modifier)');

        const text = (await s.fhir(`Patient/${id}?_summary=text`)).body;
        assert.ok(subsetted(text));
        assert.deepEqual(text.text, full.text);
        assert.equal(text.id, id);
        assert.equal(text.name, undefined);
        assert.equal(text.link, undefined, 'only top-level mandatory elements stay, and Patient has none');

        const data = (await s.fhir(`Patient/${id}?_summary=data`)).body;
        assert.ok(subsetted(data));
        assert.equal(data.text, undefined);
        assert.deepEqual(data.communication, full.communication);

        const whole = (await s.fhir(`Patient/${id}?_summary=false`)).body;
        assert.ok(!subsetted(whole));
        assert.deepEqual(whole, created.body);
        assertOutcome(await s.fhir(`Patient/${id}?_summary=maybe`), 400);
      });

      test('_summary=count on a search gives the total and no entries', async () => {
        await s.fhir('Patient', { method: 'POST', body: identified('count-1') });
        await s.fhir('Patient', { method: 'POST', body: identified('count-1') });
        const res = await s.fhir('Patient?identifier=urn:huza:test|count-1&_summary=count');
        assert.equal(res.status, 200);
        assert.equal(res.body.total, 2);
        assert.equal((res.body.entry ?? []).length, 0);
      });

      test('_elements keeps the named elements, id and meta, and marks the result SUBSETTED', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: full });
        const id = created.body.id;
        const res = (await s.fhir(`Patient/${id}?_elements=gender,birthDate`)).body;
        assert.ok(subsetted(res));
        assert.equal(res.id, id);
        assert.equal(res.meta.versionId, '1');
        assert.equal(res.gender, 'female');
        assert.equal(res.birthDate, '1990-04-01');
        assert.equal(res.name, undefined);
        assert.equal(res.text, undefined);
        const searched = await s.fhir(`Patient?_id=${id}&_elements=gender`);
        const entry = searched.body.entry[0].resource;
        assert.ok(subsetted(entry));
        assert.equal(entry.gender, 'female');
        assert.equal(entry.name, undefined);
        const stored = await s.fhir(`Patient/${id}`);
        assert.ok(!subsetted(stored.body), 'subsetting is a view: the stored resource is whole');
      });
    });

    describe('history', () => {
      beforeEach(async () => {
        await s.reset();
      });

      test('instance, type and system history; newest first; deletions included', async () => {
        const a = await s.fhir('Patient', { method: 'POST', body: patient() });
        await s.fhir(`Patient/${a.body.id}`, { method: 'PUT', body: { ...a.body, gender: 'male' } });
        const o = await s.fhir('Organization', { method: 'POST', body: { resourceType: 'Organization', name: 'CHUK' } });
        await s.fhir(`Organization/${o.body.id}`, { method: 'DELETE' });

        const instance = await s.fhir(`Patient/${a.body.id}/_history`);
        assert.equal(instance.body.resourceType, 'Bundle');
        assert.equal(instance.body.type, 'history');
        assert.equal(instance.body.total, 2);
        assert.deepEqual(instance.body.entry.map((e: Json) => e.resource.meta.versionId), ['2', '1']);
        assert.equal(instance.body.entry[0].fullUrl, `${s.fhirBase}/Patient/${a.body.id}`);
        assert.equal(instance.body.entry[0].request.method, 'PUT');
        assert.equal(instance.body.entry[1].request.method, 'POST');
        assert.equal(instance.body.entry[0].response.etag, 'W/"2"');

        const type = await s.fhir('Organization/_history');
        assert.equal(type.body.total, 2);
        assert.equal(type.body.entry[0].request.method, 'DELETE');
        assert.equal(type.body.entry[0].request.url, `Organization/${o.body.id}`);
        assert.equal(type.body.entry[0].resource, undefined);

        const system = await s.fhir('_history?_count=1000');
        // The audit trail of these very requests is history too; the test's own writes are the rest.
        const ours = system.body.entry.filter((e: Json) => !e.fullUrl.includes('/AuditEvent/'));
        assert.equal(ours.length, 4);
        const times = system.body.entry.map((e: Json) => Date.parse(e.response.lastModified));
        assert.deepEqual(times, [...times].sort((x, y) => y - x));
        assertOutcome(await s.fhir('Patient/nobody/_history'), 404);
        assertOutcome(await s.fhir('Patient/_history?_since=yesterday'), 400);
        assertOutcome(await s.fhir('_history?_count=-1'), 400);
      });

      test('_since includes versions written at or after the instant', async () => {
        const a = await s.fhir('Patient', { method: 'POST', body: patient() });
        await new Promise((r) => setTimeout(r, 5));
        const updated = await s.fhir(`Patient/${a.body.id}`, { method: 'PUT', body: { ...a.body, gender: 'male' } });
        const since = updated.body.meta.lastUpdated;
        const res = await s.fhir(`Patient/${a.body.id}/_history?_since=${encodeURIComponent(since)}`);
        assert.equal(res.body.total, 1);
        assert.equal(res.body.entry[0].resource.meta.versionId, '2');
        const typeLevel = await s.fhir(`Patient/_history?_since=${encodeURIComponent(since)}`);
        assert.equal(typeLevel.body.total, 1);
        const future = await s.fhir(`_history?_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
        assert.equal(future.body.total, 0);
      });

      test('_count pages; next links keep serving the same versions while new writes arrive', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) ids.push((await s.fhir('Patient', { method: 'POST', body: identified(`h-${i}`) })).body.id);
        const first = await s.fhir('Patient/_history?_count=3');
        assert.equal(first.body.entry.length, 3);
        assert.equal(first.body.total, 7);
        assert.ok(first.body.link.some((l: Json) => l.relation === 'next'));
        // Writes after the first page must not shift later pages.
        for (let i = 0; i < 4; i++) await s.fhir('Patient', { method: 'POST', body: identified(`late-${i}`) });
        await s.fhir(`Patient/${ids[0]}`, { method: 'DELETE' });
        const entries = await allPages(s, first.body);
        assert.equal(entries.length, 7);
        const seen = entries.map((e: Json) => e.resource.id);
        assert.deepEqual([...seen].sort(), [...ids].sort());
        assert.deepEqual(seen, [...ids].reverse());
        const fresh = await s.fhir('Patient/_history?_count=3');
        assert.equal(fresh.body.total, 12);
        const countOnly = await s.fhir('Patient/_history?_count=0');
        assert.equal(countOnly.body.total, 12);
        assert.equal((countOnly.body.entry ?? []).length, 0);
        assert.ok(!countOnly.body.link.some((l: Json) => l.relation === 'next'), '_count=0 has no next page');
      });
    });

    describe('refusals', () => {
      test('unknown resource type is 404 with an OperationOutcome', async () => {
        assertOutcome(await s.fhir('Patientx'), 404, /Patientx/);
        assertOutcome(await s.fhir('Patientx/1'), 404);
        assertOutcome(await s.fhir('Patientx', { method: 'POST', body: { resourceType: 'Patientx' } }), 404);
        const nonFhir = await fetch(`${s.origin}/not-fhir`);
        assert.equal(nonFhir.status, 404);
      });

      test('invalid JSON, not a resource, wrong resourceType, id mismatch: 400', async () => {
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: '{"resourceType": "Patient",' }), 400, /JSON/);
        assertOutcome(await s.fhir('Patient/p1', { method: 'PUT', body: 'not json' }), 400);
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: '[1,2]' }), 400);
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: '"Patient"' }), 400);
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: { name: [{ family: 'X' }] } }), 400);
        assertOutcome(await s.fhir('Patient', { method: 'POST' }), 400);
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } }), 400);
        assertOutcome(await s.fhir('Patient/p1', { method: 'PUT', body: { resourceType: 'Observation', id: 'p1', status: 'final', code: { text: 'x' } } }), 400);
        assertOutcome(await s.fhir('Patient/p1', { method: 'PUT', body: patient({ id: 'p2' }) }), 400);
        assertOutcome(await s.fhir('Patient/p1', { method: 'PUT', body: patient() }), 400);
        assertOutcome(await s.fhir('Patient/bad_id', { method: 'PUT', body: patient({ id: 'bad_id' }) }), 400);
        assert.equal((await s.fhir('Patient/p1')).status, 404);
      });

      test('an invalid resource is 400 naming the element, and nothing is stored', async () => {
        const before = (await s.fhir('Patient/_history?_count=1')).body.total;
        const bad = identified('invalid-1', { birthDate: 'yesterday', gender: 'sometimes' });
        const created = await s.fhir('Patient', { method: 'POST', body: bad });
        assertOutcome(created, 400);
        const expressions = created.body.issue.flatMap((i: Json) => i.expression ?? []);
        assert.ok(expressions.includes('Patient.birthDate'), JSON.stringify(created.body));
        assert.ok(expressions.includes('Patient.gender'), JSON.stringify(created.body));
        assert.ok(created.body.issue.every((i: Json) => i.severity === 'error' || i.severity === 'fatal' || i.severity === 'warning' || i.severity === 'information'));
        const put = await s.fhir('Patient/invalid-put', { method: 'PUT', body: { ...bad, id: 'invalid-put' } });
        assertOutcome(put, 400);
        const unknownElement = await s.fhir('Patient', { method: 'POST', body: patient({ favouriteColour: 'blue' }) });
        assertOutcome(unknownElement, 400);
        assert.ok(unknownElement.body.issue.some((i: Json) => (i.expression ?? []).some((e: string) => e.includes('favouriteColour'))), JSON.stringify(unknownElement.body));
        assert.equal((await s.fhir('Patient?identifier=urn:huza:test|invalid-1')).body.total, 0);
        assert.equal((await s.fhir('Patient/invalid-put')).status, 404);
        assert.equal((await s.fhir('Patient/invalid-put/_history')).status, 404);
        assert.equal((await s.fhir('Patient/_history?_count=1')).body.total, before);
        // An update to an existing resource that makes it invalid leaves the stored version alone.
        const good = await s.fhir('Patient', { method: 'POST', body: identified('invalid-2') });
        assertOutcome(await s.fhir(`Patient/${good.body.id}`, { method: 'PUT', body: { ...good.body, birthDate: '1990-13-45' } }), 400);
        const current = await s.fhir(`Patient/${good.body.id}`);
        assert.deepEqual(current.body, good.body);
        assert.equal((await s.fhir(`Patient/${good.body.id}/_history`)).body.total, 1);
      });

      test('unsupported content type is 415', async () => {
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: '<Patient xmlns="http://hl7.org/fhir"/>', headers: { 'content-type': 'application/fhir+xml' } }), 415);
        assertOutcome(await s.fhir('Patient', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } }), 415);
        const charset = await s.fhir('Patient', { method: 'POST', body: patient(), headers: { 'content-type': 'application/fhir+json; charset=utf-8' } });
        assert.equal(charset.status, 201);
        const plainJson = await s.fhir('Patient', { method: 'POST', body: patient(), headers: { 'content-type': 'application/json' } });
        assert.equal(plainJson.status, 201);
      });

      test('an oversized body is 413', async () => {
        const small = await serve(s.db, s.engine, { bodyLimit: 2048 });
        try {
          const body = JSON.stringify(patient({ text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(5000)}</div>` } }));
          const res = await small.fhir('Patient', { method: 'POST', body });
          assert.equal(res.status, 413);
          assert.equal(res.body.resourceType, 'OperationOutcome');
          const fits = await small.fhir('Patient', { method: 'POST', body: patient() });
          assert.equal(fits.status, 201);
        } finally {
          await small.close();
        }
      });

      test('methods an endpoint does not offer are 405', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        assertOutcome(await s.fhir(`Patient/${created.body.id}`, { method: 'POST', body: patient() }), 405);
        assertOutcome(await s.fhir('metadata', { method: 'DELETE' }), 405);
        assertOutcome(await s.fhir('_history', { method: 'POST', body: patient() }), 405);
        assertOutcome(await s.fhir('Patient/_history', { method: 'DELETE' }), 405);
        assertOutcome(await s.fhir(`Patient/${created.body.id}/_history`, { method: 'DELETE' }), 405);
        assertOutcome(await s.fhir(`Patient/${created.body.id}/_history/1`, { method: 'PUT', body: created.body }), 405);
        assertOutcome(await s.fhir('', { method: 'DELETE' }), 405);
        assertOutcome(await s.fhir('Patient/_search', { method: 'DELETE' }), 405);
        // OPTIONS belongs to CORS: without Origin and Access-Control-Request-Method it is an invalid preflight (400).
        const options = await fetch(`${s.fhirBase}/Patient`, { method: 'OPTIONS' });
        assert.ok([400, 404, 405].includes(options.status), String(options.status));
        assert.equal(options.headers.get('access-control-allow-origin'), null);
      });

      test('a malformed percent-encoding in the path is 400 or 404, not a server error', async () => {
        const res = await fetch(`${s.fhirBase}/Patient/%E0%A4%A`);
        assert.ok(res.status === 400 || res.status === 404, String(res.status));
      });

      test('the CapabilityStatement describes the server', async () => {
        const res = await s.fhir('metadata');
        assert.equal(res.status, 200);
        assert.equal(res.body.resourceType, 'CapabilityStatement');
        assert.equal(res.body.fhirVersion, '4.0.1');
        const patientResource = res.body.rest[0].resource.find((r: Json) => r.type === 'Patient');
        assert.ok(patientResource.interaction.some((i: Json) => i.code === 'patch'));
        assert.ok(patientResource.operation.some((o: Json) => o.name === 'everything'));
      });
    });

    describe('concurrency', () => {
      test('20 parallel updates with the same If-Match: exactly one wins, the rest 412', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          s.fhir(`Patient/${id}`, { method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: { ...created.body, name: [{ family: `Racer${i}` }] } })));
        const statuses = results.map((r) => r.status);
        assert.equal(statuses.filter((x) => x === 200).length, 1, statuses.join(','));
        assert.equal(statuses.filter((x) => x === 412).length, 19, statuses.join(','));
        const winner = results.find((r) => r.status === 200)!;
        const current = await s.fhir(`Patient/${id}`);
        assert.equal(current.body.meta.versionId, '2');
        assert.deepEqual(current.body.name, winner.body.name);
        const history = await s.fhir(`Patient/${id}/_history`);
        assert.equal(history.body.total, 2);
        const family = winner.body.name[0].family;
        assert.equal((await s.fhir(`Patient?family=${family}&_id=${id}`)).body.total, 1, 'the index follows the winner');
      });

      test('20 parallel updates without If-Match all succeed with consecutive versions', async () => {
        const created = await s.fhir('Patient', { method: 'POST', body: patient() });
        const id = created.body.id;
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          s.fhir(`Patient/${id}`, { method: 'PUT', body: { ...created.body, name: [{ family: `Writer${i}` }] } })));
        const ok = results.filter((r) => r.status === 200);
        // Under heavy contention the engine may give up after its retries (409) rather than lose an update.
        assert.ok(results.every((r) => r.status === 200 || r.status === 409), results.map((r) => r.status).join(','));
        const versions = ok.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b);
        assert.equal(new Set(versions).size, versions.length, 'no two writers got the same version');
        const current = await s.fhir(`Patient/${id}`);
        assert.equal(Number(current.body.meta.versionId), ok.length + 1);
        assert.equal((await s.fhir(`Patient/${id}/_history`)).body.total, ok.length + 1);
      });

      test('20 parallel conditional creates of the same patient store it once', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () =>
          s.fhir('Patient', { method: 'POST', body: identified('par-cc-1'), headers: { 'if-none-exist': 'identifier=urn:huza:test|par-cc-1' } })));
        const statuses = results.map((r) => r.status).sort();
        assert.deepEqual(statuses, [...Array(19).fill(200), 201]);
        assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
        assert.equal((await s.fhir('Patient?identifier=urn:huza:test|par-cc-1&_summary=count')).body.total, 1);
      });

      test('20 parallel conditional updates of a new patient create it once', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          s.fhir('Patient?identifier=urn:huza:test|par-cu-1', { method: 'PUT', body: identified('par-cu-1', { name: [{ family: `Writer${i}` }] }) })));
        assert.deepEqual(results.map((r) => r.status).sort(), [...Array(19).fill(200), 201]);
        assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
        assert.equal((await s.fhir('Patient?identifier=urn:huza:test|par-cu-1&_summary=count')).body.total, 1);
        const current = await s.fhir(`Patient/${results[0].body.id}`);
        assert.equal(current.body.meta.versionId, '20', 'every update became its own version');
      });

      test('20 parallel creates all succeed with distinct ids', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          s.fhir('Patient', { method: 'POST', body: identified(`parallel-${i}`) })));
        assert.deepEqual(results.map((r) => r.status), Array(20).fill(201));
        assert.equal(new Set(results.map((r) => r.body.id)).size, 20);
        for (const r of results) assert.equal((await s.fhir(`Patient/${r.body.id}`)).status, 200);
      });
    });
  });
}
