import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { DISTRICT_FACTS } from '../../seed/data/rwanda.ts';
import { generateDemoData } from '../../seed/generate-demo-data.ts';
import { loginWithCode } from '../../test-support/oauth-flow.ts';
import { populationExtensionUrl } from './district-population.ts';
import { importPopulations, parsePopulation } from './population-import.ts';

type Json = any;

const CADRE = 'https://huza.rw/fhir/CodeSystem/health-worker-cadre';
const ADMIN = 'https://moh.gov.rw/fhir/CodeSystem/admin-level';

const practitioner = (id: string, family: string, active = true): Json => ({ resourceType: 'Practitioner', id, active, name: [{ family, given: ['Test'] }] });
const role = (id: string, who: string, cadre: { system?: string; code: string }, locations: string[], extra: Json = {}): Json => ({
  resourceType: 'PractitionerRole', id, active: true,
  practitioner: { reference: `Practitioner/${who}` },
  code: [{ coding: [{ system: cadre.system ?? CADRE, code: cadre.code }] }],
  location: locations.map((l) => ({ reference: `Location/${l}` })),
  ...extra,
});
const facility = (id: string, extra: Json): Json => ({ resourceType: 'Location', id, status: 'active', name: id, mode: 'instance', ...extra });
const put = (resource: Json) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });

/** Values of a Parameters part list by name. */
function parts(list: Json[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const p of list) {
    const value = p.valueString ?? p.valueDecimal ?? p.valueInteger ?? p.valueBoolean ?? p.valueCode;
    if (p.name === 'group') (out.group ??= {})[p.part[0].valueCode] = p.part[1].valueDecimal;
    else if (p.name === 'district') (out.district ??= []).push(parts(p.part));
    else if (p.name === 'cadre') (out.cadre ??= []).push(value);
    else if (p.name === 'populationLocation') out[p.name] = p.valueReference.reference;
    else out[p.name] = value;
  }
  return out;
}

const population = (count: Json, year: Json, source?: string): Json => ({
  url: populationExtensionUrl,
  extension: [
    ...(count === undefined ? [] : [typeof count === 'object' ? { url: 'count', ...count } : { url: 'count', valueInteger: count }]),
    ...(year === undefined ? [] : [{ url: 'year', valueDate: year }]),
    ...(source ? [{ url: 'source', valueString: source }] : []),
  ],
});

test('population figures in a CSV: whole numbers above 0, thousands separated or not', () => {
  assert.deepEqual(['476522', '476,522', '476 522', ' 1 '].map(parsePopulation), [476522, 476522, 476522, 1]);
  assert.deepEqual(['-5', '0', '4.5', 'many', '47,65,22', ''].map(parsePopulation), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

for (const kind of testDatabaseKinds) {
  describe(`health worker registry on ${kind.name}`, () => {
    let s: TestServer;
    const transaction = async (resources: Json[]) => {
      const res = await s.fhir('', { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: resources.map(put) } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };

    before(async () => {
      s = await startTestServer(kind, { workforceRegistry: true });
    });
    beforeEach(() => s.reset());
    after(() => s.close());

    describe('roles and facilities', () => {
      // One role per facility is the documented model; one role listing several locations counts the same.
      test('a specialist serves ten facilities; an eleventh role is refused with a clear OperationOutcome', async () => {
        await transaction([practitioner('spec', 'Habimana'), ...Array.from({ length: 10 }, (_, i) => role(`r${i}`, 'spec', { code: 'specialist-doctor' }, [`f${i}`]))]);
        const eleventh = await s.fhir('PractitionerRole/r10', { method: 'PUT', body: role('r10', 'spec', { code: 'specialist-doctor' }, ['f10']) });
        assert.equal(eleventh.status, 422, JSON.stringify(eleventh.body));
        assert.equal(eleventh.body.resourceType, 'OperationOutcome');
        assert.equal(eleventh.body.issue[0].code, 'business-rule');
        assert.match(eleventh.body.issue[0].diagnostics, /Practitioner\/spec would serve 11 facilities; a health worker may serve at most 10/);
        assert.equal((await s.fhir('PractitionerRole/r10')).status, 404);
        // Another role at a facility already served adds no facility.
        const again = await s.fhir('PractitionerRole', { method: 'POST', body: role('x', 'spec', { code: 'specialist-doctor' }, ['f3']) });
        assert.equal(again.status, 201, JSON.stringify(again.body));
        // Ending a role frees a place.
        const ended = await s.fhir('PractitionerRole/r0', { method: 'PUT', body: role('r0', 'spec', { code: 'specialist-doctor' }, ['f0'], { period: { start: '2020-01-01', end: '2021-12-31' } }) });
        assert.equal(ended.status, 200, JSON.stringify(ended.body));
        assert.equal((await s.fhir('PractitionerRole/r10', { method: 'PUT', body: role('r10', 'spec', { code: 'specialist-doctor' }, ['f10']) })).status, 201);
      });

      test('one role listing eleven locations is refused the same way; ten are fine; an inactive one is not counted', async () => {
        await transaction([practitioner('multi', 'Mukamana')]);
        const locs = Array.from({ length: 11 }, (_, i) => `site${i}`);
        const tooMany = await s.fhir('PractitionerRole', { method: 'POST', body: role('m', 'multi', { code: 'general-practitioner' }, locs) });
        assert.equal(tooMany.status, 422);
        assert.equal(tooMany.body.issue[0].expression[0], 'PractitionerRole.location');
        assert.equal((await s.fhir('PractitionerRole', { method: 'POST', body: role('m', 'multi', { code: 'general-practitioner' }, locs.slice(0, 10)) })).status, 201);
        assert.equal((await s.fhir('PractitionerRole', { method: 'POST', body: role('m', 'multi', { code: 'general-practitioner' }, ['elsewhere'], { active: false }) })).status, 201);
        // In a transaction, the whole bundle is refused.
        const bundle = await s.fhir('', { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [put(practitioner('other', 'Uwase')), put(role('late', 'multi', { code: 'general-practitioner' }, ['site10']))] } });
        assert.equal(bundle.status, 422, JSON.stringify(bundle.body));
        assert.equal((await s.fhir('Practitioner/other')).status, 404);
      });

      test('two roles written at once for a worker at nine facilities: one passes, the other is refused', async () => {
        await transaction([practitioner('busy', 'Nkusi'), ...Array.from({ length: 9 }, (_, i) => role(`b${i}`, 'busy', { code: 'specialist-doctor' }, [`g${i}`]))]);
        const results = await Promise.all(['g9', 'g10'].map((f) =>
          s.fhir('PractitionerRole', { method: 'POST', body: role(f, 'busy', { code: 'specialist-doctor' }, [f]) })));
        assert.deepEqual(results.map((r) => r.status).sort(), [201, 422]);
        const roles = await s.fhir('PractitionerRole?practitioner=Practitioner/busy&_summary=count');
        assert.equal(roles.body.total, 10);
      });

      test('the demo reference data loads through the registry, every worker coded and placed', async () => {
        for (const bundle of generateDemoData({ patients: 0 }).slice(0, 3)) {
          const res = await s.fhir('', { method: 'POST', body: bundle });
          assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
        }
        const staff = (await s.fhir('Practitioner?_summary=count')).body.total;
        const r = parts((await s.fhir('Location/$workforce-density')).body.parameter);
        assert.equal(r.unplaced, 0);
        // Everyone counts once, the digital clinics' specialists shared between the districts of the hospitals they serve.
        assert.equal(r.workers, staff);
        const shared = r.district.filter((d: Json) => !Number.isInteger(d.group['medical-doctor']));
        assert.equal(shared.length, 18, 'the 18 districts the three digital clinics serve');
        assert.ok(r.district.every((d: Json) => d.workers > 0 && d.below && !('uncoded' in d.group)));
      });

      test('cadre codes come from the cadre code system: unknown and grouping codes are refused', async () => {
        await transaction([practitioner('n', 'Ingabire')]);
        const unknown = await s.fhir('PractitionerRole', { method: 'POST', body: role('u', 'n', { code: 'astronaut' }, ['a']) });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.issue[0].code, 'code-invalid');
        // The write-time code check (terminology service) or the registry's own rule, whichever sees it first.
        assert.match(unknown.body.issue[0].diagnostics, /'astronaut' is not a cadre|Unknown code 'astronaut' in code system 'https:\/\/huza\.rw\/fhir\/CodeSystem\/health-worker-cadre'/);
        assert.deepEqual(unknown.body.issue[0].expression, ['PractitionerRole.code[0].coding[0]']);
        const grouping = await s.fhir('PractitionerRole', { method: 'POST', body: role('g', 'n', { code: 'medical-doctor' }, ['a']) });
        assert.equal(grouping.status, 400);
        assert.match(grouping.body.issue[0].diagnostics, /grouping/);
        const ok = await s.fhir('PractitionerRole', { method: 'POST', body: role('ok', 'n', { code: 'nurse-a1' }, ['a'], { availableTime: [{ daysOfWeek: ['mon', 'tue', 'wed'], availableStartTime: '08:00:00', availableEndTime: '17:00:00' }] }) });
        assert.equal(ok.status, 201, JSON.stringify(ok.body));
        const found = await s.fhir(`PractitionerRole?role=${CADRE}|nurse-a1&_include=PractitionerRole:practitioner`);
        assert.equal(found.body.entry.length, 2);
      });
    });

    describe('the cadre code system in force', () => {
      test('a steward\'s stored version (read through the terminology source) adds a cadre that roles and planning then use', async () => {
        const cs = JSON.parse(readFileSync(new URL('../../terminology/code-systems/CodeSystem-huza-health-worker-cadre.json', import.meta.url), 'utf8'));
        await transaction([practitioner('np', 'Mutesi'), facility('kirehe-hc', { address: { district: 'Kirehe' } })]);
        const before = await s.fhir('PractitionerRole', { method: 'POST', body: role('np1', 'np', { code: 'nurse-practitioner' }, ['kirehe-hc']) });
        assert.equal(before.status, 400, 'not a cadre yet');
        const nurse = cs.concept.find((c: Json) => c.code === 'nurse');
        nurse.concept.push({ code: 'nurse-practitioner', display: 'Nurse practitioner' });
        const stored = await s.fhir(`CodeSystem/${cs.id}`, { method: 'PUT', body: { ...cs, version: '1.1.0' } });
        assert.ok(stored.status === 200 || stored.status === 201, JSON.stringify(stored.body));
        const after = await s.fhir('PractitionerRole', { method: 'POST', body: role('np1', 'np', { code: 'nurse-practitioner' }, ['kirehe-hc']) });
        assert.equal(after.status, 201, JSON.stringify(after.body));
        const kirehe = parts((await s.fhir('Location/$workforce-density?cadre=nurse')).body.parameter).district.find((d: Json) => d.name === 'Kirehe');
        assert.equal(kirehe.workers, 1, 'counted under the nurse group');
      });
    });

    describe('Location/$workforce-density', () => {
      beforeEach(async () => {
        await transaction([
          facility('d-musanze', { name: 'Musanze', type: [{ coding: [{ system: ADMIN, code: 'district' }] }] }),
          facility('ruhengeri', { partOf: { reference: 'Location/d-musanze' } }),
          facility('muhoza', { address: { district: 'Musanze' } }),
          facility('nyamata', { address: { district: 'Bugesera' } }),
          facility('kibagabaga', { address: { district: 'Gasabo District' } }),
          facility('nowhere', { address: { district: 'Atlantis' } }),
          practitioner('p1', 'Specialist'), role('p1a', 'p1', { code: 'specialist-doctor' }, ['ruhengeri']), role('p1b', 'p1', { code: 'specialist-doctor' }, ['nyamata']),
          practitioner('p2', 'Nurse'), role('p2a', 'p2', { code: 'nurse-a1' }, ['muhoza']),
          practitioner('p3', 'Midwife'), role('p3a', 'p3', { code: 'midwife-a0' }, ['nyamata']),
          practitioner('p4', 'Doctor'), role('p4a', 'p4', { code: 'general-practitioner' }, ['kibagabaga']),
          practitioner('p5', 'Pharmacist'), role('p5a', 'p5', { code: 'pharmacist' }, ['muhoza']),
          practitioner('p6', 'Retired', false), role('p6a', 'p6', { code: 'nurse-a1' }, ['kibagabaga']),
          practitioner('p7', 'Left'), role('p7a', 'p7', { code: 'nurse-a1' }, ['kibagabaga'], { period: { start: '2015-01-01', end: '2019-06-30' } }),
          practitioner('p8', 'Emr'), role('p8a', 'p8', { system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'nurse' }, ['kibagabaga']),
          practitioner('p9', 'Lost'), role('p9a', 'p9', { code: 'nurse-a2' }, ['nowhere']),
        ]);
      });

      test('per district: doctors, nurses and midwives per 1,000 people, furthest below first', async () => {
        const res = await s.fhir('Location/$workforce-density?threshold=0.0025');
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const r = parts(res.body.parameter);
        assert.equal(r.threshold, 0.0025);
        assert.deepEqual(r.cadre, ['medical-doctor', 'nurse', 'midwife']);
        assert.equal(r.district.length, 30);
        const population = Object.values(DISTRICT_FACTS).reduce((sum, f) => sum + f.population, 0);
        assert.equal(r.population, population);
        // p1 (0.5 + 0.5), p2, p3, p4, p8; p5 is a pharmacist, p6 inactive, p7's role ended, p9 unplaced.
        assert.equal(r.workers, 5);
        assert.equal(r.unplaced, 1);
        const tail = r.district.slice(-3);
        assert.deepEqual(tail.map((d: Json) => d.name), ['Gasabo', 'Bugesera', 'Musanze']);
        const [gasabo, bugesera, musanze] = tail;
        // Gasabo: GP p4 + nurse p8 (HL7 code) = 2 of 879,505 people.
        assert.equal(gasabo.workers, 2);
        assert.equal(gasabo.density, 0.002274);
        assert.equal(gasabo.below, true);
        assert.equal(gasabo.gap, 0.199); // 0.0025 × 879.505 − 2 = 0.1987625
        assert.deepEqual([gasabo.group['medical-doctor'], gasabo.group.nurse], [1, 1]);
        // Bugesera: half of specialist p1 + midwife p3 = 1.5 of 551,103.
        assert.equal(bugesera.workers, 1.5);
        assert.equal(bugesera.density, 0.002722);
        assert.equal(bugesera.below, false);
        assert.equal(bugesera.gap, 0);
        // Musanze: the other half of p1 (via partOf) + nurse p2 = 1.5 of 476,522; pharmacist p5 listed, not counted.
        assert.equal(musanze.workers, 1.5);
        assert.equal(musanze.density, 0.003148);
        assert.equal(musanze.group.pharmacist, 1);
        assert.equal(musanze.group['medical-doctor'], 0.5);
        // The 27 districts without anyone come first, alphabetically, each needing threshold × population.
        assert.equal(r.district[0].name, 'Burera');
        assert.equal(r.district[0].workers, 0);
        assert.equal(r.district[0].gap, 0.969); // 0.0025 × 387.729
        assert.ok(r.district.slice(0, 27).every((d: Json) => d.below && d.density === 0));
      });

      test('the default threshold is WHO\'s 4.45 and other cadre groups can be planned for', async () => {
        const who = parts((await s.fhir('Location/$workforce-density')).body.parameter);
        assert.equal(who.threshold, 4.45);
        assert.ok(who.district.every((d: Json) => d.below));
        const nurses = await s.fhir('Location/$workforce-density', { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: 'threshold', valueDecimal: 4 }, { name: 'cadre', valueCode: 'nurse' }] } });
        assert.equal(nurses.status, 200, JSON.stringify(nurses.body));
        const n = parts(nurses.body.parameter);
        assert.equal(n.threshold, 4);
        assert.equal(n.workers, 2);
        assert.deepEqual(n.district.slice(-2).map((d: Json) => [d.name, d.workers]), [['Gasabo', 1], ['Musanze', 1]]);
        const pharmacists = parts((await s.fhir('Location/$workforce-density?cadre=pharmacist,nurse')).body.parameter);
        assert.equal(pharmacists.workers, 3);
      });

      test('bad parameters are refused', async () => {
        for (const q of ['threshold=0', 'threshold=-1', 'cadre=nurse-a1', 'cadre=astronaut', 'colour=red']) {
          const res = await s.fhir(`Location/$workforce-density?${q}`);
          assert.equal(res.status, 400, q);
          assert.equal(res.body.resourceType, 'OperationOutcome');
        }
      });
    });

    describe('district populations (the Ministry\'s figures on district Locations)', () => {
      const thisYear = new Date().getUTCFullYear();
      const district = (id: string, name: string, extra: Json = {}) => facility(id, { name, type: [{ coding: [{ system: ADMIN, code: 'district' }] }], ...extra });
      const densityOf = async (name: string) => parts((await s.fhir('Location/$workforce-density')).body.parameter).district.find((d: Json) => d.name === name);
      const password = 'a long enough password 42';
      const tokenOf = async (username: string, role: 'registry-steward' | 'clinician' | 'exchange-admin') => {
        await s.security.accounts.create({ username, password, displayName: username, roles: [role], facilities: [] });
        const login = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid user/*.cruds', username, password });
        assert.ok(login.token?.access_token, JSON.stringify(login.token ?? login.loginStatus));
        return login.token.access_token as string;
      };
      const putAs = (resource: Json, token?: string) => s.fhir(`Location/${resource.id}`, { method: 'PUT', body: resource, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });

      beforeEach(async () => {
        await transaction([
          district('d-musanze', 'Musanze'), district('d-gasabo', 'Gasabo'), district('d-bugesera', 'Bugesera'),
          facility('ruhengeri', { partOf: { reference: 'Location/d-musanze' } }),
          practitioner('p1', 'Nurse'), role('p1a', 'p1', { code: 'nurse-a1' }, ['ruhengeri']),
        ]);
      });

      test('without a stated figure the shipped 2022 census is used, and said so', async () => {
        const musanze = await densityOf('Musanze');
        assert.equal(musanze.population, 476_522);
        assert.equal(musanze.populationYear, 2022);
        assert.match(musanze.populationSource, /Census 2022 \(NISR\)/);
        assert.equal(musanze.populationLocation, undefined);
      });

      test('a steward states a figure on the district Location; planning uses it and names its year and source', async () => {
        const steward = await tokenOf('pop.steward', 'registry-steward');
        const figures = [population(500_000, '2024', 'NISR projection 2024'), population(400_000, '2023', 'older figure'), population(900_000, String(thisYear + 1), 'next year\'s projection')];
        const res = await putAs(district('d-musanze', 'Musanze', { extension: figures }), steward);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const musanze = await densityOf('Musanze');
        assert.equal(musanze.population, 500_000, 'the latest year not after this one');
        assert.equal(musanze.populationYear, 2024);
        assert.equal(musanze.populationSource, 'NISR projection 2024');
        assert.equal(musanze.populationLocation, 'Location/d-musanze');
        assert.equal(musanze.workers, 1);
        assert.equal(musanze.density, 0.002);
        // An administrator too; a figure without a source says where it is stated.
        const admin = await tokenOf('pop.admin', 'exchange-admin');
        assert.equal((await putAs(district('d-gasabo', 'Gasabo', { extension: [population(1_000_000, '2023-08-15')] }), admin)).status, 200);
        const gasabo = await densityOf('Gasabo');
        assert.deepEqual([gasabo.population, gasabo.populationYear, gasabo.populationSource], [1_000_000, 2023, 'Location/d-gasabo (no source stated)']);
        // The national total is the sum of the figures used.
        const all = parts((await s.fhir('Location/$workforce-density')).body.parameter);
        assert.equal(all.population, all.district.reduce((sum: number, d: Json) => sum + d.population, 0));
      });

      test('bad figures are refused with the element named, nothing stored', async () => {
        const cases: [Json, number, RegExp][] = [
          [district('d-musanze', 'Musanze', { extension: [population(-5, '2024')] }), 400, /whole number of people above 0, not -5/],
          [district('d-musanze', 'Musanze', { extension: [population(0, '2024')] }), 400, /above 0, not 0/],
          [district('d-musanze', 'Musanze', { extension: [population({ valueString: 'many' }, '2024')] }), 400, /above 0, not "many"/],
          [district('d-musanze', 'Musanze', { extension: [population({ valueDecimal: 1234.5 }, '2024')] }), 400, /above 0, not 1234.5/],
          [district('d-musanze', 'Musanze', { extension: [population({ valueInteger: 'many' }, '2024')] }), 400, /./],
          [district('d-musanze', 'Musanze', { extension: [population(500_000, undefined)] }), 400, /needs the year/],
          [district('d-musanze', 'Musanze', { extension: [population(500_000, '1850')] }), 400, /needs the year .* not "1850"/],
          [district('d-musanze', 'Musanze', { extension: [population(500_000, '2024'), population(510_000, '2024-06-01')] }), 400, /two population figures for 2024/],
          [district('d-musanze', 'Musanze', { extension: [population(undefined, '2024')] }), 400, /needs its count/],
          [facility('ruhengeri', { partOf: { reference: 'Location/d-musanze' }, extension: [population(500_000, '2024')] }), 400, /belongs on a district's Location.*'ruhengeri' is not one/],
          [district('d-atlantis', 'Atlantis', { extension: [population(500_000, '2024')] }), 400, /'Atlantis' is not one/],
        ];
        for (const [resource, status, pattern] of cases) {
          const res = await putAs(resource);
          assert.equal(res.status, status, JSON.stringify(res.body));
          assert.equal(res.body.resourceType, 'OperationOutcome');
          assert.ok(res.body.issue.some((i: Json) => pattern.test(i.diagnostics ?? '')), `${pattern}: ${JSON.stringify(res.body.issue)}`);
        }
        assert.equal((await s.fhir('Location/d-musanze')).body.meta.versionId, '1');
        assert.equal((await s.fhir('Location/d-atlantis')).status, 404);
        assert.equal((await densityOf('Musanze')).population, 476_522);
      });

      test('the access policy holds: clinicians and read-only clients may not change a population', async () => {
        const clinician = await tokenOf('pop.clinician', 'clinician');
        const denied = await putAs(district('d-musanze', 'Musanze', { extension: [population(1, '2024')] }), clinician);
        assert.equal(denied.status, 403, JSON.stringify(denied.body));
        const readOnly = await s.systemTokenFor('system/Location.rs');
        assert.equal((await putAs(district('d-musanze', 'Musanze', { extension: [population(1, '2024')] }), readOnly)).status, 403);
        const patch = await s.fhir('Location/d-musanze', {
          method: 'PATCH', headers: { authorization: `Bearer ${clinician}`, 'content-type': 'application/json-patch+json' },
          body: [{ op: 'add', path: '/extension', value: [population(1, '2024')] }],
        });
        assert.equal(patch.status, 403, JSON.stringify(patch.body));
        assert.equal((await densityOf('Musanze')).population, 476_522);
      });

      test('CSV import: errors by row and nothing stored; then all rows set at once, replacing the same year', async () => {
        const bad = [
          'district,population,year,source',
          'Musanze,-476522,2024,x',
          'Atlantis,100000,2024,x',
          'Gasabo,lots,2024,x',
          'Bugesera,560000,24,x',
          'Nyagatare,650000,2024,x',
          'Gasabo District,905200,2024,x',
          'd-gasabo,905300,2024,x',
        ].join('\n');
        const refused = await importPopulations(s.engine.repo, bad);
        assert.deepEqual(refused.errors.map((e) => e.row), [2, 3, 4, 5, 6, 8]);
        assert.match(refused.errors[0].message, /population '-476522' is not a whole number of people above 0/);
        assert.match(refused.errors[1].message, /'Atlantis' is not one of Rwanda's 30 districts/);
        assert.match(refused.errors[2].message, /population 'lots'/);
        assert.match(refused.errors[3].message, /year '24'/);
        assert.match(refused.errors[4].message, /Nyagatare has no district Location in the registry yet/);
        assert.match(refused.errors[5].message, /Gasabo 2024 is already on row 7/);
        assert.equal(refused.imported, false);
        assert.equal((await s.fhir('Location/d-gasabo')).body.meta.versionId, '1');
        assert.deepEqual((await importPopulations(s.engine.repo, 'name,count\nMusanze,1')).errors, [{ row: 1, message: 'the header must name the columns district,population,year (and optionally source); it lacks district, population, year' }]);

        const sample = readFileSync(new URL('./samples/district-populations-example.csv', import.meta.url), 'utf8').replace(/rw-district-bugesera/, 'd-bugesera');
        const dry = await importPopulations(s.engine.repo, sample, { dryRun: true });
        assert.deepEqual(dry.errors, []);
        assert.equal(dry.updates.length, 3);
        assert.equal((await densityOf('Musanze')).population, 476_522, 'a dry run stores nothing');
        const done = await importPopulations(s.engine.repo, sample);
        assert.equal(done.imported, true, JSON.stringify(done.errors));
        const rows = (await Promise.all(['Musanze', 'Gasabo', 'Bugesera'].map(densityOf))).map((d) => [d.population, d.populationYear, d.populationLocation]);
        assert.deepEqual(rows, [[480_100, 2024, 'Location/d-musanze'], [905_200, 2024, 'Location/d-gasabo'], [560_000, 2024, 'Location/d-bugesera']]);
        // Importing a corrected 2024 figure replaces that year's, leaving one figure per year.
        assert.equal((await importPopulations(s.engine.repo, 'district,population,year\nMusanze,481000,2024')).imported, true);
        const stored = (await s.fhir('Location/d-musanze')).body;
        assert.equal(stored.extension.filter((e: Json) => e.url === populationExtensionUrl).length, 1);
        assert.equal((await densityOf('Musanze')).population, 481_000);
        assert.match((await densityOf('Musanze')).populationSource, /^Location\/d-musanze/);
      });
    });
  });
}
