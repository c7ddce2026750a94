import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { loginWithCode } from '../../test-support/oauth-flow.ts';
import { FACILITY, facilities, facilityLocation, facilityOrganization, hierarchy } from './facility-test-fixtures.ts';
import { DHIS2_ORG_UNIT_SYSTEM } from './facility-import.ts';
import { coreName, similarNames } from './name-similarity.ts';
import { typeFromName } from './import-rows.ts';

type Json = any;

const sampleCsv = readFileSync(new URL('./samples/facilities-musanze-burera.csv', import.meta.url), 'utf8');
const sampleDhis2 = readFileSync(new URL('./samples/facilities-dhis2-sample.json', import.meta.url), 'utf8');
const header = 'code,name,type,district,parent_code,latitude,longitude,phone,email,serves';

describe('facility names', () => {
  test('generic words and accents do not make names different', () => {
    assert.equal(coreName('Centre de Santé de Kinigi'), 'kinigi');
    assert.ok(similarNames('Kinigi Health Centre', 'CS Kinigi'));
    assert.ok(similarNames('Ruhengeri Hospital', 'Ruhengeri District Hospital'));
    assert.ok(similarNames('Nyange Health Center', 'Nyangue Health Centre'));
    assert.ok(!similarNames('Kinigi Health Centre', 'Muhoza Health Centre'));
    assert.equal(typeFromName('Nyange Centre de Santé'), 'health-centre');
    assert.equal(typeFromName('Kabeza Poste de Santé'), 'health-post');
    assert.equal(typeFromName('Ruhengeri Hospital'), 'district-hospital');
    assert.equal(typeFromName('Musanze'), undefined);
  });
});

for (const kind of testDatabaseKinds) {
  describe(`facility import (CSV, DHIS2, Location/$import) on ${kind.name}`, () => {
    let s: TestServer;
    const importOp = (parameter: Json[], token?: string) => s.fhir('Location/$import', {
      method: 'POST', body: { resourceType: 'Parameters', parameter }, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    const csv = (text: string, extra: Json[] = []) => importOp([{ name: 'csv', valueString: text }, ...extra]);
    const count = async (type: string) => (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource WHERE resource_type = $1 AND NOT deleted', [type])).rows[0].n;
    const counts = async () => [await count('Location'), await count('Organization'), await count('HealthcareService')];
    const value = (body: Json, name: string) => {
      const p = body.parameter.find((x: Json) => x.name === name);
      return p && (p.valueInteger ?? p.valueBoolean);
    };
    let baseline: number[];
    /** A refused import: 400, an error naming each expected row, and nothing stored. */
    const refusedWith = async (text: string, expected: [number, RegExp][]) => {
      const res = await csv(text);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      const errors = res.body.issue.filter((i: Json) => i.severity === 'error');
      for (const [row, pattern] of expected) {
        assert.ok(errors.some((i: Json) => i.expression?.[0] === `row ${row}` && pattern.test(i.diagnostics)), `row ${row} ${pattern}: ${JSON.stringify(errors)}`);
      }
      assert.deepEqual(await counts(), baseline, 'nothing imported');
      return errors;
    };

    before(async () => {
      s = await startTestServer(kind, { facilityRegistry: true });
    });
    beforeEach(async () => {
      await s.reset();
      for (const r of hierarchy) await s.fhir(`Location/${r.id}`, { method: 'PUT', body: r });
      for (const [id, code, name, type, parent, pos] of facilities) {
        await s.fhir(`Organization/${id}`, { method: 'PUT', body: facilityOrganization(id, code, name, type) });
        await s.fhir(`Location/${id}`, { method: 'PUT', body: facilityLocation(id, code, name, type, parent, pos) });
      }
      baseline = await counts();
    });
    after(() => s.close());

    test('a dry run reports what would be created and stores nothing', async () => {
      const res = await csv(sampleCsv, [{ name: 'dryRun', valueBoolean: true }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(value(res.body, 'dryRun'), true);
      assert.equal(value(res.body, 'imported'), false);
      assert.equal(value(res.body, 'created'), 8);
      assert.equal(value(res.body, 'updated'), 0);
      const planned = res.body.parameter.filter((p: Json) => p.name === 'facility');
      assert.deepEqual(planned.map((p: Json) => p.part.find((x: Json) => x.name === 'code').valueString).sort(), sampleCsv.trim().split('\n').slice(1).map((l) => l.split(',')[0]).sort());
      assert.deepEqual(await counts(), baseline);
      // A dry run of a bad file reports its errors with 200 (it is a report), still storing nothing.
      const bad = await csv(`${header}\nx1,X,no-such-type,Musanze,,,,,,\n`, [{ name: 'dryRun', valueBoolean: true }]);
      assert.equal(bad.status, 200);
      assert.equal(value(bad.body, 'errors'), 1);
      const outcome = bad.body.parameter.find((p: Json) => p.name === 'outcome').resource;
      assert.match(outcome.issue[0].diagnostics, /^row 2: type 'no-such-type' is not a facility type/);
    });

    test('a good file imports everything: hierarchy, positions, digital clinic and its service', async () => {
      const res = await csv(sampleCsv);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(value(res.body, 'imported'), true);
      assert.equal(value(res.body, 'created'), 8);
      assert.deepEqual(await counts(), [baseline[0] + 8, baseline[1] + 8, baseline[2] + 1]);
      const post = (await s.fhir(`Location?identifier=${FACILITY}|hp-musanze-kabeza&_include:iterate=Location:partof`)).body;
      const names = post.entry.map((e: Json) => e.resource.name);
      assert.deepEqual(names, ['Kabeza Health Post', 'Gashaki Health Centre', 'Musanze', 'Northern Province', 'Rwanda']);
      const org = (await s.fhir(`Organization?identifier=${FACILITY}|hp-musanze-kabeza&_include=Organization:partof`)).body;
      assert.deepEqual(org.entry.map((e: Json) => e.resource.name), ['Kabeza Health Post', 'Gashaki Health Centre']);
      const near = (await s.fhir('Location?near=-1.5530|29.7130|2|km')).body;
      assert.deepEqual(near.entry.map((e: Json) => e.resource.name), ['Gashaki Health Centre', 'Kabeza Health Post', 'Rwambogo Health Post']);
      // The digital clinic: a virtual Location, and a HealthcareService at the facilities it serves.
      const clinic = (await s.fhir(`Location?identifier=${FACILITY}|dc-north-telehealth`)).body.entry[0].resource;
      assert.equal(clinic.physicalType.coding[0].code, 'vi');
      assert.equal(clinic.position, undefined);
      const served = (await s.fhir(`HealthcareService?location=Location/${clinic.id}&_include=HealthcareService:location`)).body;
      const service = served.entry.find((e: Json) => e.resource.resourceType === 'HealthcareService').resource;
      assert.equal(service.providedBy.reference, `Organization/${clinic.managingOrganization.reference.split('/')[1]}`);
      assert.deepEqual(served.entry.filter((e: Json) => e.resource.resourceType === 'Location').map((e: Json) => e.resource.name).sort(),
        ['Gashaki Health Centre', 'Kirambo Health Centre', 'Northern Province Digital Clinic', 'Nyange Health Centre']);
      const byServed = (await s.fhir('HealthcareService?location.identifier=https://moh.gov.rw/fhir/id/facility|hc-burera-kirambo')).body;
      assert.equal(byServed.entry.length, 1, 'the digital clinics serving Kirambo');
      const nearby = (await s.fhir('HealthcareService?location.near=-1.4480|29.8020|1|km')).body;
      assert.deepEqual(nearby.entry.map((e: Json) => e.resource.id), [service.id], 'services offered at facilities near a point (chained near)');

      // The same file again: already registered codes are errors unless updating.
      const again = await csv(sampleCsv);
      assert.equal(again.status, 400);
      assert.equal(again.body.issue.filter((i: Json) => i.severity === 'error' && /already registered/.test(i.diagnostics)).length, 8);
      const changed = sampleCsv.replace('Gashaki Health Centre', 'Gashaki Health Center');
      const update = await csv(changed, [{ name: 'update', valueBoolean: true }]);
      assert.equal(update.status, 200, JSON.stringify(update.body));
      assert.equal(value(update.body, 'updated'), 8);
      assert.equal(value(update.body, 'created'), 0);
      assert.deepEqual(await counts(), [baseline[0] + 8, baseline[1] + 8, baseline[2] + 1]);
      const renamed = (await s.fhir(`Location?identifier=${FACILITY}|hc-musanze-gashaki`)).body.entry[0].resource;
      assert.equal(renamed.name, 'Gashaki Health Center');
      assert.equal(renamed.meta.versionId, '2');
    });

    test('malformed CSV rows are refused with their line numbers', async () => {
      await refusedWith(`${header}\nhc-a,A Health Centre,health-centre,Musanze,,-1.5,29.6,,,\nhc-b,B Health Centre,health-centre,Musanze,,-1.5,29.7,,,,extra\n`, [[3, /malformed row: 11 fields where the header has 10/]]);
      await refusedWith(`${header}\nhc-a,"A Health Centre,health-centre,Musanze,,-1.5,29.6,,,\n`, [[2, /malformed CSV: .*[Qq]uote/]]);
      await refusedWith('name,district\nX,Musanze\n', [[1, /header lacks column\(s\) code, type/]]);
      await refusedWith(`${header}\nhc-a,,health-centre,Musanze,,-1.5,29.6,,,\n,B,health-centre,Musanze,,,,,,\n`, [[2, /name is required/], [3, /code is required/]]);
    });

    test('unknown parents (district or parent facility) are refused by row', async () => {
      await refusedWith(`${header}\nhc-a,A Health Centre,health-centre,Atlantis,,-1.5,29.6,,,\nhp-b,B Health Post,health-post,,hc-nope,-1.51,29.61,,,\nhp-c,C Health Post,health-post,,,,,,,\n`, [
        [2, /unknown parent: no district 'Atlantis'/], [3, /unknown parent: no facility with code 'hc-nope'/], [4, /give a district or a parent_code/],
      ]);
      // A parent in the registry is fine.
      const ok = await csv(`${header}\nhp-kinigi-1,Bisoke Health Post,health-post,,hc-kinigi,-1.4300,29.5800,,,\n`);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('duplicate codes inside the file and against the registry are refused by row', async () => {
      await refusedWith(`${header}\nhc-a,A Health Centre,health-centre,Musanze,,-1.5,29.6,,,\nhc-b,B Health Centre,health-centre,Musanze,,-1.52,29.62,,,\nhc-a,A2 Health Centre,health-centre,Burera,,-1.45,29.85,,,\n`,
        [[4, /duplicate code 'hc-a': already on row 2/]]);
      await refusedWith(`${header}\nhc-new,New Health Centre,health-centre,Musanze,,-1.55,29.65,,,\nhc-kinigi,Kinigi Health Centre,health-centre,Musanze,,-1.4350,29.5950,,,\n`,
        [[3, /code 'hc-kinigi' is already registered \(Location\/f-kinigi-hc 'Kinigi Health Centre'\)/]]);
    });

    test('invalid coordinates are refused by row', async () => {
      await refusedWith([
        header,
        'hc-a,A Health Centre,health-centre,Musanze,,29.6,-1.5,,,',
        'hc-b,B Health Centre,health-centre,Musanze,,-1.5,,,,',
        'hc-c,C Health Centre,health-centre,Musanze,,abc,29.6,,,',
        'hc-d,D Health Centre,health-centre,Musanze,,-1.5,36.8,,,',
        'hc-e,E Health Centre,health-centre,Musanze,,-95,29.6,,,',
        'hc-f,F Health Centre,health-centre,Musanze,,-1.5,29.6,,,',
      ].join('\n'), [[2, /invalid coordinates: .*swapped/], [3, /give both or neither/], [4, /latitude 'abc' is not a decimal number/], [5, /outside Rwanda/], [6, /latitude -95 is outside -90..90/]]);
    });

    test('cycles through parent codes are refused by row, in the file and through the registry', async () => {
      await refusedWith(`${header}\nhp-a,A Health Post,health-post,,hp-b,-1.5,29.6,,,\nhp-b,B Health Post,health-post,,hp-a,-1.51,29.61,,,\nhp-c,C Health Post,health-post,,hp-c,-1.52,29.62,,,\n`,
        [[2, /cycle: hp-a → hp-b → hp-a/], [3, /cycle: hp-b → hp-a → hp-b/], [4, /is the facility itself/]]);
      // hc-kinigi (registered) becomes a child of a new post that is itself under hc-kinigi.
      await csv(`${header}\nhp-k,K Health Post,health-post,,hc-kinigi,-1.43,29.59,,,\n`);
      baseline = await counts();
      const res = await csv(`${header}\nhc-kinigi,Kinigi Health Centre,health-centre,,hp-k,-1.4350,29.5950,,,\n`, [{ name: 'update', valueBoolean: true }]);
      assert.equal(res.status, 400);
      assert.match(res.body.issue.find((i: Json) => i.severity === 'error').diagnostics, /row 2: parent_code makes a cycle: hc-kinigi → hp-k → hc-kinigi/);
    });

    test('possible duplicates (similar name, under 1 km) are warned about, not refused', async () => {
      const res = await csv(`${header}\ncs-kinigi,Centre de Santé Kinigi,health-centre,Musanze,,-1.4370,29.5960,,,\nhc-far,Kinigi II Health Centre,health-centre,Burera,,-1.45,29.86,,,\nhc-x,Nyabihu Health Centre,health-centre,Musanze,,,,,,\n`, [{ name: 'dryRun', valueBoolean: true }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const issues = res.body.parameter.find((p: Json) => p.name === 'outcome').resource.issue;
      assert.ok(issues.some((i: Json) => i.severity === 'warning' && /^row 2: possible duplicate of Location\/f-kinigi-hc 'Kinigi Health Centre' \(code hc-kinigi, 0\.2\d km away\)/.test(i.diagnostics)), JSON.stringify(issues));
      assert.ok(!issues.some((i: Json) => /row 3: possible duplicate/.test(i.diagnostics)), 'far away is not a duplicate');
      assert.ok(issues.some((i: Json) => /row 4: no coordinates/.test(i.diagnostics)));
      assert.equal(value(res.body, 'errors'), 0);
    });

    test('a DHIS2 organisation-unit export imports its facilities under the districts it names', async () => {
      const dry = await importOp([{ name: 'dhis2', valueString: sampleDhis2 }, { name: 'dryRun', valueBoolean: true }]);
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.equal(value(dry.body, 'created'), 3);
      const res = await importOp([{ name: 'dhis2', valueString: sampleDhis2 }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const nyange = (await s.fhir(`Location?identifier=${DHIS2_ORG_UNIT_SYSTEM}|v2CoR9tEl3M`)).body.entry[0].resource;
      assert.equal(nyange.partOf.reference, 'Location/rw-musanze');
      assert.deepEqual(nyange.position, { latitude: -1.52, longitude: 29.56 });
      assert.equal(nyange.type[0].coding[0].code, 'health-centre');
      const bad = await importOp([{ name: 'dhis2', valueString: JSON.stringify({ organisationUnits: [
        { id: 'a', name: 'Rwanda', level: 1 },
        { id: 'b', name: 'Musanze', level: 2, parent: { id: 'a' } },
        { id: 'c', name: 'Busogo Health Centre', code: 'hc-busogo', level: 3, parent: { id: 'b' }, geometry: { type: 'Point', coordinates: [-1.55, 29.55] } },
        { id: 'd', name: 'Somewhere', code: 'x-d', level: 3, parent: { id: 'b' } },
        { id: 'e', name: 'Orphan Health Post', code: 'hp-e', level: 3, parent: { id: 'zz' } },
      ] }) }]);
      assert.equal(bad.status, 400);
      const messages = bad.body.issue.map((i: Json) => i.diagnostics);
      assert.ok(messages.some((m: string) => /^row 3: .*outside Rwanda.*swapped/.test(m)), JSON.stringify(messages));
      assert.ok(messages.some((m: string) => /^row 4: Somewhere: the facility type cannot be told/.test(m)));
      assert.ok(messages.some((m: string) => /^row 5: Orphan Health Post: unknown parent zz/.test(m)));
      assert.equal((await importOp([{ name: 'dhis2', valueString: '{not json' }])).status, 400);
    });

    test('stewards only: a client without Location write scope and a clinician are refused', async () => {
      const readOnly = await s.systemTokenFor('system/Location.rs system/Organization.rs');
      const denied = await importOp([{ name: 'csv', valueString: sampleCsv }], readOnly);
      assert.equal(denied.status, 403, JSON.stringify(denied.body));
      assert.deepEqual(await counts(), baseline);
      assert.equal((await importOp([])).status, 400, 'csv or dhis2 is required');
      // People: registry stewards may import, clinicians may not.
      const password = 'a long enough password 42';
      const tokenOf = async (username: string, role: 'registry-steward' | 'clinician') => {
        await s.security.accounts.create({ username, password, displayName: username, roles: [role], facilities: [] });
        const login = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid user/*.cruds', username, password });
        assert.ok(login.token?.access_token, JSON.stringify(login.token ?? login.loginStatus));
        return login.token.access_token as string;
      };
      const steward = await importOp([{ name: 'csv', valueString: sampleCsv }, { name: 'dryRun', valueBoolean: true }], await tokenOf('facility.steward', 'registry-steward'));
      assert.equal(steward.status, 200, JSON.stringify(steward.body));
      const clinician = await importOp([{ name: 'csv', valueString: sampleCsv }], await tokenOf('facility.clinician', 'clinician'));
      assert.equal(clinician.status, 403, JSON.stringify(clinician.body));
      assert.deepEqual(await counts(), baseline);
    });
  });
}
