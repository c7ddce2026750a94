import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { FACILITY, facilities, facilityLocation, facilityOrganization, hierarchy, place } from './facility-test-fixtures.ts';

type Json = any;

for (const kind of testDatabaseKinds) {
  describe(`facility registry write rules on ${kind.name}`, () => {
    let s: TestServer;
    const put = (r: Json) => s.fhir(`${r.resourceType}/${r.id}`, { method: 'PUT', body: r });
    const ok = async (r: Json) => {
      const res = await put(r);
      assert.ok(res.status === 200 || res.status === 201, `${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const refused = async (res: { status: number; body: Json }, status: number, expression: string, text: RegExp) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.resourceType, 'OperationOutcome');
      const issue = res.body.issue.find((i: Json) => i.expression?.includes(expression));
      assert.ok(issue, `an issue naming ${expression}: ${JSON.stringify(res.body)}`);
      assert.match(issue.diagnostics, text);
    };
    const count = async (type: string) => (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource WHERE resource_type = $1 AND NOT deleted', [type])).rows[0].n;

    before(async () => {
      s = await startTestServer(kind, { facilityRegistry: true });
    });
    beforeEach(async () => {
      await s.reset();
      for (const r of hierarchy) await ok(r);
    });
    after(() => s.close());

    test('a hierarchy of existing parents and facilities with unique codes is accepted', async () => {
      for (const [id, code, name, type, parent, pos] of facilities) {
        await ok(facilityOrganization(id, code, name, type));
        await ok(facilityLocation(id, code, name, type, parent, pos));
      }
      assert.equal(await count('Location'), hierarchy.length + facilities.length);
      // Re-sending the same facility is an update of itself, not a duplicate code.
      const [id, code, name, type, parent, pos] = facilities[0];
      await ok({ ...facilityLocation(id, code, name, type, parent, pos), alias: ['Ruhengeri Referral'] });
    });

    test('partOf naming an unknown Location is refused with 400 naming Location.partOf; nothing is stored', async () => {
      await refused(await put(place('x', 'Nowhere', 'sector', 'no-such-district')), 400, 'Location.partOf', /Location\/no-such-district.*does not exist/);
      await refused(await s.fhir('Location', { method: 'POST', body: place('y', 'Nowhere', 'sector', 'gone') }), 400, 'Location.partOf', /does not exist/);
      await refused(await put({ ...place('z', 'Elsewhere', 'sector'), partOf: { reference: 'Organization/rw' } }), 400, 'Location.partOf', /Location/);
      await refused(await put({ ...place('z', 'Elsewhere', 'sector'), partOf: { reference: 'https://other.example/fhir/Location/1' } }), 400, 'Location.partOf', /on this server/);
      assert.equal(await count('Location'), hierarchy.length);
      // A deleted parent is unknown too.
      assert.ok([200, 204].includes((await s.fhir('Location/rw-muhoza', { method: 'DELETE' })).status));
      await refused(await put(place('cell', 'Mpenge', 'cell', 'rw-muhoza')), 400, 'Location.partOf', /does not exist/);
    });

    test('cycles in partOf are refused, including a Location being its own parent', async () => {
      await refused(await put({ ...hierarchy[0], partOf: { reference: 'Location/rw' } }), 400, 'Location.partOf', /cycle/);
      // The country under one of its own sectors: rw → rw-muhoza → rw-musanze → rw-north → rw.
      const res = await put({ ...hierarchy[0], partOf: { reference: 'Location/rw-muhoza' } });
      await refused(res, 400, 'Location.partOf', /cycle: Location\/rw → Location\/rw-muhoza → Location\/rw-musanze → Location\/rw-north → Location\/rw/);
      const stored = await s.fhir('Location/rw');
      assert.equal(stored.body.partOf, undefined, 'nothing stored');
      assert.equal(stored.body.meta.versionId, '1');
      // Organizations too.
      await ok({ resourceType: 'Organization', id: 'o1', name: 'Parent' });
      await ok({ resourceType: 'Organization', id: 'o2', name: 'Child', partOf: { reference: 'Organization/o1' } });
      await refused(await put({ resourceType: 'Organization', id: 'o1', name: 'Parent', partOf: { reference: 'Organization/o2' } }), 400, 'Organization.partOf', /cycle/);
      await refused(await put({ resourceType: 'Organization', id: 'o3', name: 'Orphan', partOf: { reference: 'Organization/none' } }), 400, 'Organization.partOf', /does not exist/);
    });

    test('a facility code is unique among Locations and among Organizations (409 naming the holder)', async () => {
      const [id, code, name, type, parent, pos] = facilities[0];
      await ok(facilityOrganization(id, code, name, type));
      await ok(facilityLocation(id, code, name, type, parent, pos));
      await refused(await put(facilityLocation('other', code, 'Copy', type, parent, pos)), 409, 'Location.identifier', new RegExp(`'${code}' is already held by Location/${id}`));
      await refused(await put(facilityOrganization('other', code, 'Copy', type)), 409, 'Organization.identifier', new RegExp(`held by Organization/${id}`));
      await refused(await s.fhir('Location', { method: 'POST', body: { ...facilityLocation('x', code, 'Copy', type, parent, pos), id: undefined } }), 409, 'Location.identifier', /already held/);
      assert.equal(await count('Location'), hierarchy.length + 1);
      assert.equal(await count('Organization'), 1);
      // The same value in another identifier system is another identifier.
      await ok({ ...place('w', 'Ward', 'sector', 'rw-musanze'), identifier: [{ system: 'https://example.org/other', value: code }] });
      // Once the holder is deleted, the code is free again.
      await s.fhir(`Location/${id}`, { method: 'DELETE' });
      await ok(facilityLocation('other', code, 'Renamed', type, parent, pos));
      // In a transaction, the second claim of a code refuses the whole Bundle.
      const bundle = {
        resourceType: 'Bundle', type: 'transaction',
        entry: ['t1', 't2'].map((tid) => ({ resource: facilityOrganization(tid, 'hc-twin', 'Twin', 'health-centre'), request: { method: 'PUT', url: `Organization/${tid}` } })),
      };
      const tx = await s.fhir('', { method: 'POST', body: bundle });
      assert.equal(tx.status, 409, JSON.stringify(tx.body));
      assert.equal((await s.fhir(`Organization?identifier=${FACILITY}|hc-twin`)).body.total, 0);
    });

    test('coordinates must be on Earth, and a Rwandan facility inside Rwanda (400 naming Location.position)', async () => {
      const [id, code, name, type, parent] = facilities[0];
      const at = (lat: number, long: number) => put(facilityLocation(id, code, name, type, parent, [lat, long]));
      await refused(await at(-95, 29.6), 400, 'Location.position', /latitude -95 is outside -90..90/);
      await refused(await at(-1.5, 190), 400, 'Location.position', /longitude 190 is outside/);
      await refused(await at(29.63, -1.5), 400, 'Location.position', /outside Rwanda/);
      await refused(await at(-1.5, 36.8), 400, 'Location.position', /outside Rwanda/);
      await refused(await at(29.63, -1.5).then(() => at(1.5, 29.63)), 400, 'Location.position', /latitude is negative/);
      assert.equal(await count('Location'), hierarchy.length);
      // A place abroad (a partner hospital in Kampala) may lie outside Rwanda, but still on Earth.
      await ok({ resourceType: 'Location', id: 'mulago', name: 'Mulago Hospital', address: { country: 'UG' }, position: { latitude: 0.3376, longitude: 32.5757 } });
      await refused(await put({ resourceType: 'Location', id: 'mulago', name: 'Mulago Hospital', address: { country: 'UG' }, position: { latitude: 0.3376, longitude: 232.5757 } }), 400, 'Location.position', /longitude/);
    });
  });
}
