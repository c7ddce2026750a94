import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { FACILITY_TYPE, facilities, facilityLocation, facilityOrganization, hierarchy } from './facility-test-fixtures.ts';
import { distanceKm } from './geo.ts';

type Json = any;

const musanzeTown: [number, number] = [-1.4998, 29.6346];

for (const kind of testDatabaseKinds) {
  describe(`facility registry search (near, mCSD ITI-90/91) on ${kind.name}`, () => {
    let s: TestServer;
    let loadedAt: string;
    const ids = (body: Json, type?: string) => (body.entry ?? []).filter((e: Json) => !type || e.resource.resourceType === type).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
    const search = async (path: string) => {
      const res = await s.fhir(path);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };

    before(async () => {
      s = await startTestServer(kind, { facilityRegistry: true });
      for (const r of hierarchy) assert.ok([200, 201].includes((await s.fhir(`Location/${r.id}`, { method: 'PUT', body: r })).status));
      await new Promise((r) => setTimeout(r, 20));
      loadedAt = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      for (const [id, code, name, type, parent, pos] of facilities) {
        for (const r of [facilityOrganization(id, code, name, type), facilityLocation(id, code, name, type, parent, pos)]) {
          const res = await s.fhir(`${r.resourceType}/${id}`, { method: 'PUT', body: r });
          assert.equal(res.status, 201, JSON.stringify(res.body));
        }
      }
    });
    after(() => s.close());

    describe('near', () => {
      test('finds the Locations within the distance, nearest first, in km by default and in m', async () => {
        const [lat, long] = musanzeTown;
        const expectedWithin = (km: number) => [...hierarchy.filter((h) => h.position), ...facilities.map(([id, , , , , [la, lo]]) => ({ id, position: { latitude: la, longitude: lo } }))]
          .map((l) => ({ id: `Location/${l.id}`, d: distanceKm(lat, long, l.position.latitude, l.position.longitude) }))
          .filter((l) => l.d <= km).sort((a, b) => a.d - b.d).map((l) => l.id);
        const within2 = await search(`Location?near=${lat}|${long}|2|km`);
        assert.deepEqual(ids(within2), expectedWithin(2));
        assert.equal(ids(within2)[0], 'Location/rw-musanze', 'nearest first');
        assert.ok(ids(within2).includes('Location/f-ruhengeri') && !ids(within2).includes('Location/f-kinigi-hc'));
        assert.deepEqual(ids(await search(`Location?near=${lat}|${long}|2000|m`)), expectedWithin(2));
        assert.deepEqual(ids(await search(`Location?near=${lat}|${long}|2`)), expectedWithin(2), 'km when the unit is left out');
        const within10 = await search(`Location?near=${lat}|${long}|10|km&_count=100`);
        assert.deepEqual(ids(within10), expectedWithin(10));
        assert.ok(ids(within10).includes('Location/f-kinigi-hc') && !ids(within10).includes('Location/f-butaro'));
        // Without a distance the server's default (10 km) applies.
        assert.deepEqual(ids(await search(`Location?near=${lat}|${long}&_count=100`)), expectedWithin(10));
        assert.deepEqual(ids(await search(`Location?near=${lat}|${long}|30|km&_count=100`)), expectedWithin(30));
        assert.deepEqual(ids(await search('Location?near=-2.6|29.74|5|km')), [], 'Huye is far from here');
      });

      test('combines with other parameters and with _sort, and alternatives are ORed', async () => {
        const [lat, long] = musanzeTown;
        const centres = await search(`Location?near=${lat}|${long}|10|km&type=${FACILITY_TYPE}|health-centre`);
        assert.deepEqual(ids(centres), ['Location/f-muhoza-hc', 'Location/f-kinigi-hc']);
        const byName = await search(`Location?near=${lat}|${long}|10|km&type=${FACILITY_TYPE}|health-centre&_sort=name`);
        assert.deepEqual(ids(byName), ['Location/f-kinigi-hc', 'Location/f-muhoza-hc']);
        const both = await search(`Location?near=-1.4060|29.8380|1|km,${lat}|${long}|0.5|km`);
        assert.deepEqual(ids(both).sort(), ['Location/f-butaro', 'Location/f-ruhengeri', 'Location/rw-musanze']);
        const total = await search(`Location?near=${lat}|${long}|2|km&_summary=count`);
        assert.equal(total.total, ids(await search(`Location?near=${lat}|${long}|2|km`)).length);
      });

      test('a moved Location is found at its new place only; a deleted one not at all', async () => {
        const [id, code, name, type, parent] = facilities[4];
        const moved = facilityLocation(id, code, name, type, parent, [-1.4990, 29.6310]);
        assert.equal((await s.fhir(`Location/${id}`, { method: 'PUT', body: moved })).status, 200);
        assert.ok(ids(await search(`Location?near=${musanzeTown.join('|')}|1|km`)).includes(`Location/${id}`));
        assert.ok(!ids(await search('Location?near=-1.44|29.86|1|km')).includes(`Location/${id}`));
        await s.fhir(`Location/${id}`, { method: 'DELETE' });
        assert.ok(!ids(await search(`Location?near=${musanzeTown.join('|')}|1|km`)).includes(`Location/${id}`));
      });

      test('the CapabilityStatement offers near on Location', async () => {
        const metadata = (await s.fhir('metadata')).body;
        const location = metadata.rest[0].resource.find((r: Json) => r.type === 'Location');
        assert.ok(location.searchParam.some((p: Json) => p.name === 'near' && p.type === 'special'));
      });

      test('bad near values are refused naming the parameter', async () => {
        for (const value of ['abc', '-1.5', '-95|29|1|km', '-1.5|200|1|km', '-1.5|29.6|-1|km', '-1.5|29.6|1|parsec', '-1.5|29.6|x|km', '1|2|3|km|5']) {
          const res = await s.fhir(`Location?near=${encodeURIComponent(value)}`);
          assert.equal(res.status, 400, `${value}: ${JSON.stringify(res.body)}`);
          assert.deepEqual(res.body.issue[0].expression, ['near'], value);
        }
        assert.equal((await s.fhir('Location?near:missing=true')).status, 400);
      });
    });

    describe('mCSD queries (ITI-90)', () => {
      test('all health centres in Musanze district, with the hierarchy below it', async () => {
        // Every Location under Musanze at any depth: the district and what iterates back to it through partOf.
        const below = await search('Location?_id=rw-musanze&_revinclude:iterate=Location:partof&_count=100');
        const under = ids(below).filter((id: string) => id !== 'Location/rw-musanze');
        assert.deepEqual(under.sort(), ['Location/f-kinigi-hc', 'Location/f-muhoza-hc', 'Location/f-ruhengeri', 'Location/rw-muhoza']);
        // Directly in the district, or one level down (a sector), by type: chained partOf.
        const direct = await search(`Location?partof=Location/rw-musanze&type=${FACILITY_TYPE}|health-centre`);
        assert.deepEqual(ids(direct), ['Location/f-kinigi-hc']);
        const inSector = await search(`Location?partof.partof=Location/rw-musanze&type=${FACILITY_TYPE}|health-centre`);
        assert.deepEqual(ids(inSector), ['Location/f-muhoza-hc']);
        const byName = await search(`Location?partof:Location.name=Musanze&type=${FACILITY_TYPE}|health-centre`);
        assert.deepEqual(ids(byName), ['Location/f-kinigi-hc']);
      });

      test('facilities as Organizations with their Locations and the hierarchy above them', async () => {
        const body = await search(`Organization?type=${FACILITY_TYPE}|district-hospital&_revinclude=Location:organization&_include:iterate=Location:partof&_count=100`);
        assert.deepEqual(ids(body, 'Organization').sort(), ['Organization/f-butaro', 'Organization/f-ruhengeri']);
        const locations = ids(body, 'Location');
        for (const l of ['Location/f-butaro', 'Location/f-ruhengeri', 'Location/rw-musanze', 'Location/rw-burera', 'Location/rw-north', 'Location/rw']) {
          assert.ok(locations.includes(l), `${l} in ${locations}`);
        }
        const matches = body.entry.filter((e: Json) => e.search.mode === 'match').map((e: Json) => e.resource.resourceType);
        assert.deepEqual([...new Set(matches)], ['Organization']);
        // By facility code.
        const byCode = await search('Location?identifier=https://moh.gov.rw/fhir/id/facility|hc-kinigi&_include=Location:organization');
        assert.deepEqual(ids(byCode).sort(), ['Location/f-kinigi-hc', 'Organization/f-kinigi-hc']);
      });
    });

    describe('synchronisation (ITI-91)', () => {
      test('Location/_history?_since= lists what changed since the last sync, and only that', async () => {
        const changed = await search(`Location/_history?_since=${encodeURIComponent(loadedAt)}&_count=100`);
        assert.equal(changed.type, 'history');
        const changedIds = new Set(changed.entry.map((e: Json) => e.fullUrl.replace(/^.*\/(Location\/[^/]+)$/, '$1')));
        for (const [id] of facilities) assert.ok(changedIds.has(`Location/${id}`), `${id} changed since ${loadedAt}`);
        for (const h of hierarchy) assert.ok(!changedIds.has(`Location/${h.id}`), `${h.id} was loaded before`);
        assert.ok(changed.entry.every((e: Json) => e.request && e.response), 'history entries carry request and response');
        const orgs = await search(`Organization/_history?_since=${encodeURIComponent(loadedAt)}&_count=100`);
        assert.equal(orgs.entry.length, facilities.length);
        const later = await search(`Location/_history?_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
        assert.equal(later.entry?.length ?? 0, 0);
      });
    });
  });
}
