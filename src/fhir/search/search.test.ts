/**
 * FHIR R4 search over HTTP (§3.1.1), on both databases: every parameter type with its modifiers and
 * prefixes, chains and reverse chains, includes, sorting, paging (stable while others write), result
 * parameters, and the errors a client gets for what the server cannot honour.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';

type Json = Record<string, any>;

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const NID = 'urn:rw:nid';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const TAGS = 'http://huza.rw/tags';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RW_PATIENT = 'http://huza.rw/fhir/StructureDefinition/rw-patient';

// ---------------------------------------------------------------------------------------------------
// Resource builders: just what each test needs, the rest defaulted to something valid.

const name = (family: string, ...given: string[]) => ({ family, given });
const ref = (reference: string) => ({ reference });
const loinc = (code: string, display: string) => ({ coding: [{ system: LOINC, code, display }], text: display });
const qty = (value: number, code: string, unit = code) => ({ value, unit, system: UCUM, code });

function patient(id: string, fields: Json): Json {
  return { resourceType: 'Patient', id, ...fields };
}

function observation(id: string, code: Json, fields: Json): Json {
  return { resourceType: 'Observation', id, status: 'final', code, ...fields };
}

function bloodPressure(id: string, subject: string, systolic: number, diastolic: number, fields: Json): Json {
  return observation(id, loinc('85354-9', 'Blood pressure panel with all children optional'), {
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    subject: ref(subject),
    component: [
      { code: loinc('8480-6', 'Systolic blood pressure'), valueQuantity: qty(systolic, 'mm[Hg]') },
      { code: loinc('8462-4', 'Diastolic blood pressure'), valueQuantity: qty(diastolic, 'mm[Hg]') },
    ],
    ...fields,
  });
}

function riskAssessment(id: string, probability: Json): Json {
  return { resourceType: 'RiskAssessment', id, status: 'final', subject: ref('Patient/p1'), prediction: [probability] };
}

const fixtures: Json[] = [
  { resourceType: 'Organization', id: 'moh', name: 'Ministry of Health' },
  { resourceType: 'Organization', id: 'chuk', name: 'CHUK Centre Hospitalier Universitaire de Kigali', partOf: ref('Organization/moh') },
  { resourceType: 'Organization', id: 'kfh', name: 'King Faisal Hospital', partOf: ref('Organization/moh') },
  { resourceType: 'Practitioner', id: 'dr1', name: [name('Nshimiyimana', 'Eric')], address: [{ city: 'Kigali' }] },
  { resourceType: 'Practitioner', id: 'dr2', name: [name('Uwimana', 'Grace')], address: [{ city: 'Musanze' }] },
  patient('p1', {
    meta: { tag: [{ system: TAGS, code: 'pilot' }], profile: [RW_PATIENT], security: [{ system: CONFIDENTIALITY, code: 'R' }] },
    active: true,
    // The repeated given name must not give two index rows.
    name: [name('Mukamana', 'Aline', 'Aline')],
    gender: 'female',
    birthDate: '1980-05-12',
    identifier: [{ system: NID, value: '1198070012345678', type: { coding: [{ system: V2_0203, code: 'NI' }], text: 'National ID' } }],
    telecom: [{ system: 'phone', value: '+250788000001' }, { system: 'email', value: 'aline@example.rw' }],
    address: [{ city: 'Kigali', district: 'Gasabo', country: 'RW' }],
    generalPractitioner: [ref('Practitioner/dr1')],
    managingOrganization: ref('Organization/chuk'),
  }),
  patient('p2', {
    active: true, name: [name('Hakizimana', 'Jean-Baptiste')], gender: 'male', birthDate: '1975', identifier: [{ value: 'LOCAL-42' }],
    address: [{ city: 'Huye' }], deceasedDateTime: '2020-03-15T10:00:00+02:00',
    generalPractitioner: [ref('Practitioner/dr2')], managingOrganization: ref('Organization/kfh'),
  }),
  patient('p3', { active: false, name: [name('Müller', 'Hélène')], gender: 'female', birthDate: '1980-05' }),
  patient('p4', { name: [name('Mukamana-Uwase', 'Claudine')], gender: 'female', birthDate: '1980-05-31', identifier: [{ system: NID, value: '1198070099999999' }] }),
  patient('p5', { name: [name('Ndayisaba', 'Ange,Marie')], gender: 'male', birthDate: '1990-01-01' }),
  patient('p6', { name: [name("';DROP TABLE resource;--", 'Robert')], gender: 'other' }),
  {
    resourceType: 'Encounter', id: 'e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/p1'), participant: [{ individual: ref('Practitioner/dr1') }], serviceProvider: ref('Organization/chuk'),
    period: { start: '2024-01-15T09:00:00+02:00', end: '2024-01-15T10:00:00+02:00' },
  },
  bloodPressure('o1', 'Patient/p1', 120, 80, { encounter: ref('Encounter/e1'), effectiveDateTime: '2024-01-15T09:30:00+02:00', performer: [ref('Practitioner/dr1')] }),
  bloodPressure('o2', 'Patient/p2', 150, 95, { effectiveDateTime: '2024-02-01T23:30:00Z', performer: [ref('Organization/kfh')] }),
  observation('o3', loinc('29463-7', 'Body weight'), { subject: ref('Patient/p1'), effectivePeriod: { start: '2024-03-01', end: '2024-03-05' }, valueQuantity: qty(72.5, 'kg') }),
  observation('o4', loinc('8867-4', 'Heart rate'), { status: 'preliminary', subject: ref('Patient/p3'), effectiveDateTime: '2024', valueQuantity: qty(100, '/min', 'beats/minute') }),
  observation('o5', loinc('8867-4', 'Heart rate'), { subject: ref('Patient/p3'), effectiveDateTime: '2023-12-31T23:00:00-05:00', valueQuantity: qty(100.4, '/min', 'beats/minute') }),
  // Another server's Patient/p1: not ours, so not subject=Patient/p1.
  observation('o6', loinc('29463-7', 'Body weight'), { subject: ref('http://other.example.org/fhir/Patient/p1'), effectiveDateTime: '2024-04-01T08:00:00Z', valueQuantity: qty(80, 'kg') }),
  // A logical reference (identifier only) and an open period.
  observation('o7', loinc('15074-8', 'Glucose'), { subject: { identifier: { system: NID, value: '1198070012345678' } }, effectivePeriod: { start: '2024-04-01' }, valueQuantity: qty(6.3, 'mmol/L') }),
  { resourceType: 'DiagnosticReport', id: 'rep1', status: 'final', code: loinc('55284-4', 'Vital signs'), subject: ref('Patient/p1'), result: [ref('Observation/o1')] },
  {
    resourceType: 'MedicationRequest', id: 'mr1', status: 'active', intent: 'order', subject: ref('Patient/p1'), requester: ref('Practitioner/dr1'),
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361', display: 'Amlodipine 5 MG' }] },
    authoredOn: '2024-01-15',
  },
  riskAssessment('ra1', { probabilityDecimal: 50 }),
  riskAssessment('ra2', { probabilityDecimal: 50.3 }),
  riskAssessment('ra3', { probabilityDecimal: 49.8 }),
  riskAssessment('ra4', { probabilityDecimal: 80 }),
  riskAssessment('ra5', { probabilityRange: { low: { value: 20, unit: '%', system: UCUM, code: '%' }, high: { value: 30, unit: '%', system: UCUM, code: '%' } } }),
  { resourceType: 'CarePlan', id: 'cp1', status: 'active', intent: 'plan', subject: ref('Patient/p1'), instantiatesUri: ['http://huza.rw/protocols/hiv'] },
  { resourceType: 'CarePlan', id: 'cp2', status: 'active', intent: 'plan', subject: ref('Patient/p2'), instantiatesUri: ['http://huza.rw/protocols/hiv/pediatric'] },
  { resourceType: 'CarePlan', id: 'cp3', status: 'active', intent: 'plan', subject: ref('Patient/p3'), instantiatesUri: ['http://huza.rw/protocols/hivx'] },
];

for (const kind of testDatabaseKinds) {
  describe(`search on ${kind.name}`, () => {
    let s: TestServer;

    async function put(resource: Json): Promise<Json> {
      const res = await s.fhir(`${resource.resourceType}/${resource.id}`, { method: 'PUT', body: resource });
      assert.ok(res.status === 200 || res.status === 201, `PUT ${resource.resourceType}/${resource.id}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    }

    async function search(query: string, headers?: Record<string, string>): Promise<Json> {
      const res = await s.fhir(query, { headers });
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.resourceType, 'Bundle');
      return res.body;
    }

    const matchIds = (bundle: Json) => (bundle.entry ?? []).filter((e: Json) => e.search.mode === 'match').map((e: Json) => e.resource.id);
    const includedIds = (bundle: Json) => (bundle.entry ?? []).filter((e: Json) => e.search.mode === 'include').map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();

    /** The ids a search matches, as a set (order ignored). */
    async function expectIds(query: string, expected: string[]): Promise<void> {
      assert.deepEqual(matchIds(await search(query)).sort(), [...expected].sort(), query);
    }

    /** The ids a search matches, in order. */
    async function expectOrder(query: string, expected: string[]): Promise<void> {
      assert.deepEqual(matchIds(await search(query)), expected, query);
    }

    /** A 400 OperationOutcome whose issue names the parameter. */
    async function expectRefused(query: string, parameter: string): Promise<void> {
      const res = await s.fhir(query);
      assert.equal(res.status, 400, `${query} should be refused: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.resourceType, 'OperationOutcome', query);
      const issue = JSON.stringify(res.body.issue);
      assert.ok(issue.includes(parameter), `${query}: the OperationOutcome should name '${parameter}': ${issue}`);
    }

    const q = encodeURIComponent;

    before(async () => {
      s = await startTestServer(kind);
      for (const r of fixtures) await put(r);
    });

    after(async () => {
      await s?.close();
    });

    describe('string', () => {
      test('default is case- and accent-insensitive starts-with on every name part', async () => {
        await expectIds('Patient?family=mukamana', ['p1', 'p4']);
        await expectIds('Patient?family=MUKA', ['p1', 'p4']);
        await expectIds('Patient?family=muller', ['p3']);
        await expectIds(`Patient?family=${q('MÜLLER')}`, ['p3']);
        await expectIds(`Patient?given=${q('HÉLÈNE')}`, ['p3']);
        await expectIds('Patient?given=helene', ['p3']);
        await expectIds('Patient?name=jean', ['p2']);
        await expectIds('Patient?name=kamana', []);
        await expectIds('Practitioner?name=grace', ['dr2']);
      });

      test(':exact is the whole string, case and accents included', async () => {
        await expectIds('Patient?family:exact=Mukamana', ['p1']);
        await expectIds('Patient?family:exact=mukamana', []);
        await expectIds(`Patient?family:exact=${q('Müller')}`, ['p3']);
        await expectIds('Patient?family:exact=Muller', []);
      });

      test(':contains matches anywhere in the string', async () => {
        await expectIds('Patient?family:contains=UWASE', ['p4']);
        await expectIds('Patient?name:contains=kaman', ['p1', 'p4']);
        await expectIds('Patient?family:contains=zzz', []);
      });

      test('address searches every address part', async () => {
        await expectIds('Patient?address-city=kigali', ['p1']);
        await expectIds('Patient?address=gasabo', ['p1']);
        await expectIds('Patient?address-country=rw', ['p1']);
      });

      test('a repeated value is indexed once', async () => {
        const rows = await s.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sp_string WHERE resource_type = 'Patient' AND resource_id = 'p1' AND param = 'given'`);
        assert.equal(rows.rows[0].n, 1);
      });
    });

    describe('token', () => {
      test('system|code, code, |code and system|', async () => {
        await expectIds(`Patient?identifier=${q(`${NID}|1198070012345678`)}`, ['p1']);
        await expectIds('Patient?identifier=1198070012345678', ['p1']);
        await expectIds(`Patient?identifier=${q('|LOCAL-42')}`, ['p2']);
        await expectIds(`Patient?identifier=${q('|1198070012345678')}`, []);
        await expectIds(`Patient?identifier=${q(`${NID}|`)}`, ['p1', 'p4']);
        await expectIds(`Observation?code=${q(`${LOINC}|85354-9`)}`, ['o1', 'o2']);
        await expectIds('Observation?code=85354-9', ['o1', 'o2']);
        await expectIds(`Observation?code=${q('http://snomed.info/sct|85354-9')}`, []);
        await expectIds('Patient?gender=female', ['p1', 'p3', 'p4']);
        await expectIds('Patient?active=true', ['p1', 'p2']);
        await expectIds('Patient?active=false', ['p3']);
      });

      test('ContactPoint tokens: phone and email', async () => {
        await expectIds(`Patient?phone=${q('+250788000001')}`, ['p1']);
        await expectIds(`Patient?email=${q('aline@example.rw')}`, ['p1']);
        await expectIds(`Patient?email=${q('+250788000001')}`, []);
      });

      test(':not includes resources without the element', async () => {
        await expectIds('Patient?gender:not=female', ['p2', 'p5', 'p6']);
        await expectIds(`Observation?code:not=${q(`${LOINC}|85354-9`)}`, ['o3', 'o4', 'o5', 'o6', 'o7']);
      });

      test(':text searches display and text', async () => {
        await expectIds(`Observation?code:text=${q('blood PRES')}`, ['o1', 'o2']);
        await expectIds(`Patient?identifier:text=${q('national')}`, ['p1']);
        await expectIds(`Observation?code:text=${q('pressure')}`, []);
      });

      test(':of-type matches identifier type and value together', async () => {
        await expectIds(`Patient?identifier:of-type=${q(`${V2_0203}|NI|1198070012345678`)}`, ['p1']);
        await expectIds(`Patient?identifier:of-type=${q(`${V2_0203}|PPN|1198070012345678`)}`, []);
        await expectRefused(`Patient?identifier:of-type=${q(`${V2_0203}|NI`)}`, 'identifier');
      });

      test('_tag, _security (tokens) and _profile (uri)', async () => {
        await expectIds(`Patient?_tag=${q(`${TAGS}|pilot`)}`, ['p1']);
        await expectIds(`Patient?_security=${q(`${CONFIDENTIALITY}|R`)}`, ['p1']);
        await expectIds(`Patient?_profile=${q(RW_PATIENT)}`, ['p1']);
        await expectIds(`Patient?_profile:below=${q('http://huza.rw/fhir/')}`, ['p1']);
        await expectIds(`Patient?_profile=${q('http://huza.rw/fhir/StructureDefinition/rw')}`, []);
      });
    });

    describe('reference', () => {
      test('Type/id, plain id and the :Type modifier', async () => {
        await expectIds('Observation?subject=Patient/p1', ['o1', 'o3']);
        await expectIds('Observation?subject=p1', ['o1', 'o3']);
        await expectIds('Observation?subject:Patient=p1', ['o1', 'o3']);
        await expectIds('Observation?patient=p1', ['o1', 'o3']);
        await expectIds('Observation?subject:Group=p1', []);
        await expectIds('Observation?performer=Organization/kfh', ['o2']);
      });

      test('an absolute URL matches as written, and is not a local reference', async () => {
        await expectIds(`Observation?subject=${q('http://other.example.org/fhir/Patient/p1')}`, ['o6']);
      });

      test(':identifier matches logical references', async () => {
        await expectIds(`Observation?subject:identifier=${q(`${NID}|1198070012345678`)}`, ['o7']);
        await expectIds(`Observation?subject:identifier=${q(`${NID}|0000`)}`, []);
      });
    });

    describe('date', () => {
      test('prefixes on dates of year, month and day precision (R4 §3.1.1.4.2)', async () => {
        // p1 1980-05-12, p2 1975, p3 1980-05, p4 1980-05-31, p5 1990-01-01, p6 none.
        await expectIds('Patient?birthdate=1980', ['p1', 'p3', 'p4']);
        await expectIds('Patient?birthdate=1980-05', ['p1', 'p3', 'p4']);
        await expectIds('Patient?birthdate=1980-05-12', ['p1']);
        await expectIds('Patient?birthdate=eq1980-05-12', ['p1']);
        await expectIds('Patient?birthdate=ne1980-05-12', ['p2', 'p3', 'p4', 'p5']);
        await expectIds('Patient?birthdate=gt1980-05-12', ['p3', 'p4', 'p5']);
        await expectIds('Patient?birthdate=lt1980-05-12', ['p2', 'p3']);
        await expectIds('Patient?birthdate=ge1980-05-12', ['p1', 'p3', 'p4', 'p5']);
        await expectIds('Patient?birthdate=le1980-05-12', ['p1', 'p2', 'p3']);
        await expectIds('Patient?birthdate=sa1980-05-12', ['p4', 'p5']);
        await expectIds('Patient?birthdate=eb1980-05-12', ['p2']);
        await expectIds('Patient?birthdate=ap1980-05-12', ['p1', 'p3']);
        await expectIds('Patient?birthdate=gt1980', ['p5']);
      });

      test('dateTimes compare in UTC whatever their timezone', async () => {
        // o2 is 2024-02-01T23:30Z; o5 is 2023-12-31T23:00-05:00, i.e. 2024-01-01T04:00Z.
        await expectIds('Observation?date=2024-02-01', ['o2']);
        await expectIds('Observation?date=2024-02-02', []);
        await expectIds(`Observation?date=${q('2024-02-02T01:30:00+02:00')}`, ['o2']);
        await expectIds(`Observation?date=${q('ge2024-02-02T00:00:00+02:00')}`, ['o2', 'o3', 'o4', 'o6', 'o7']);
        await expectIds('Observation?date=2024-01-01', ['o5']);
        await expectIds('Observation?date=2023-12-31', []);
        await expectIds('Observation?date=2023', []);
        await expectIds(`Observation?date=${q('lt2024-01-15T08:00:00+02:00')}`, ['o4', 'o5']);
        await expectIds(`Observation?date=${q('le2024-01-15T09:30:00+02:00')}`, ['o1', 'o4', 'o5']);
      });

      test('Periods, open Periods and a year-precision value', async () => {
        // o3 is 2024-03-01..2024-03-05, o4 is the year 2024, o7 starts 2024-04-01 with no end.
        await expectIds('Observation?date=2024-03', ['o3']);
        await expectIds('Observation?date=2024-03-03', []);
        await expectIds('Observation?date=ap2024-03-03', ['o3', 'o4']);
        await expectIds('Observation?date=2024', ['o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
        await expectIds('Observation?date=gt2030-01-01', ['o7']);
        await expectIds('Observation?date=sa2024-03-31', ['o6', 'o7']);
        await expectIds('Observation?date=eb2024-01-02', ['o5']);
        await expectIds('Encounter?date=2024-01-15', ['e1']);
      });

      test('_lastUpdated with prefixes', async () => {
        const first = await put(patient('lu1', { name: [name('Lastupdated')] }));
        await sleep(20);
        const second = await put(patient('lu2', { name: [name('Lastupdated')] }));
        const t1 = first.meta.lastUpdated as string;
        const t2 = second.meta.lastUpdated as string;
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`gt${t1}`)}`, ['lu2']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`ge${t1}`)}`, ['lu1', 'lu2']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`lt${t2}`)}`, ['lu1']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(t2)}`, ['lu2']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`le${t2}`)}`, ['lu1', 'lu2']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`sa${t2}`)}`, []);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${q(`ne${t1}`)}`, ['lu2']);
        await expectIds(`Patient?family=lastupdated&_lastUpdated=${t1.slice(0, 10)}`, ['lu1', 'lu2']);
      });
    });

    describe('number and quantity', () => {
      test('numbers: implicit precision from how the value is written, and prefixes', async () => {
        // ra1 50, ra2 50.3, ra3 49.8, ra4 80, ra5 the range 20-30.
        await expectIds('RiskAssessment?probability=50', ['ra1', 'ra2', 'ra3']);
        await expectIds('RiskAssessment?probability=50.0', ['ra1']);
        await expectIds('RiskAssessment?probability=5e1', ['ra1', 'ra2', 'ra3']);
        await expectIds('RiskAssessment?probability=gt50', ['ra2', 'ra4']);
        await expectIds('RiskAssessment?probability=ge50', ['ra1', 'ra2', 'ra4']);
        await expectIds('RiskAssessment?probability=lt50', ['ra3', 'ra5']);
        await expectIds('RiskAssessment?probability=le30', ['ra5']);
        await expectIds('RiskAssessment?probability=ne50', ['ra4', 'ra5']);
        await expectIds('RiskAssessment?probability=sa60', ['ra4']);
        await expectIds('RiskAssessment?probability=eb40', ['ra5']);
        await expectIds('RiskAssessment?probability=ap25', ['ra5']);
      });

      test('quantities: value|system|code, value||unit and prefixes', async () => {
        // o3 72.5 kg, o4 100 /min, o5 100.4 /min, o6 80 kg, o7 6.3 mmol/L.
        await expectIds('Observation?value-quantity=100', ['o4', 'o5']);
        await expectIds('Observation?value-quantity=100.0', ['o4']);
        await expectIds(`Observation?value-quantity=${q(`72.5|${UCUM}|kg`)}`, ['o3']);
        await expectIds(`Observation?value-quantity=${q(`72.5|${UCUM}|g`)}`, []);
        await expectIds(`Observation?value-quantity=${q('72.5||kg')}`, ['o3']);
        await expectIds(`Observation?value-quantity=${q('100||beats/minute')}`, ['o4', 'o5']);
        await expectIds(`Observation?value-quantity=${q(`gt99|${UCUM}|/min`)}`, ['o4', 'o5']);
        await expectIds(`Observation?value-quantity=${q(`le80|${UCUM}|kg`)}`, ['o3', 'o6']);
        await expectIds(`Observation?value-quantity=${q('lt100.2||/min')}`, ['o4']);
        await expectIds('Observation?value-quantity=gt1000', []);
      });
    });

    describe('uri', () => {
      test('exact, :below and :above', async () => {
        await expectIds(`CarePlan?instantiates-uri=${q('http://huza.rw/protocols/hiv')}`, ['cp1']);
        await expectIds(`CarePlan?instantiates-uri:below=${q('http://huza.rw/protocols/hiv')}`, ['cp1', 'cp2', 'cp3']);
        await expectIds(`CarePlan?instantiates-uri:below=${q('http://huza.rw/protocols/hiv/')}`, ['cp2']);
        await expectIds(`CarePlan?instantiates-uri:above=${q('http://huza.rw/protocols/hiv/pediatric/v2')}`, ['cp1', 'cp2']);
        await expectIds(`CarePlan?instantiates-uri:above=${q('http://huza.rw/protocols/hiv/adult')}`, ['cp1']);
        await expectIds(`CarePlan?instantiates-uri:above=${q('http://huza.rw/protocols/hiv_adult')}`, ['cp1']);
      });
    });

    describe('composite', () => {
      test('code-value-quantity on the Observation itself', async () => {
        await expectIds(`Observation?code-value-quantity=${q(`${LOINC}|29463-7$gt70`)}`, ['o3', 'o6']);
        await expectIds(`Observation?code-value-quantity=${q(`${LOINC}|29463-7$lt75`)}`, ['o3']);
        await expectIds(`Observation?code-value-quantity=${q(`${LOINC}|8867-4$100`)}`, ['o4', 'o5']);
      });

      test('component-code-value-quantity pairs code and value within one component', async () => {
        await expectIds(`Observation?component-code-value-quantity=${q(`${LOINC}|8480-6$gt140`)}`, ['o2']);
        await expectIds(`Observation?component-code-value-quantity=${q(`${LOINC}|8462-4$lt90`)}`, ['o1']);
        // o1's diastolic is 80, but its systolic (the component with 8480-6) is 120.
        await expectIds(`Observation?component-code-value-quantity=${q(`${LOINC}|8480-6$lt90`)}`, []);
        await expectIds(`Observation?component-value-quantity=${q('gt140')}`, ['o2']);
        await expectIds(`Observation?combo-code-value-quantity=${q(`${LOINC}|8480-6$120`)}`, ['o1']);
        await expectIds(`Observation?combo-code-value-quantity=${q(`${LOINC}|8867-4$100.4`)}`, ['o5']);
      });
    });

    describe('modifiers and combinations', () => {
      test(':missing=true|false', async () => {
        await expectIds('Patient?_id=p1,p2,p3,p4,p5,p6&birthdate:missing=true', ['p6']);
        await expectIds('Patient?_id=p1,p2,p3,p4,p5,p6&birthdate:missing=false', ['p1', 'p2', 'p3', 'p4', 'p5']);
        await expectIds('Patient?_id=p1,p2,p3,p4,p5,p6&identifier:missing=true', ['p3', 'p5', 'p6']);
        await expectIds('Observation?subject:missing=false&code=29463-7,15074-8', ['o3', 'o6', 'o7']);
        await expectIds('Patient?_id=p1,p2&general-practitioner:missing=true', []);
      });

      test('commas are OR, an escaped comma is part of the value, repeated parameters are AND', async () => {
        await expectIds('Patient?family=mukamana,hakizimana', ['p1', 'p2', 'p4']);
        await expectIds(`Patient?given=${q('Ange\\,Marie')}`, ['p5']);
        await expectIds('Patient?given=Ange,Claudine', ['p4', 'p5']);
        await expectIds(`Patient?given=${q('Marie')}`, []);
        await expectIds('Patient?given=aline&family=mukamana', ['p1']);
        await expectIds('Patient?given=aline&family=hakizimana', []);
        await expectIds('Patient?birthdate=ge1980&birthdate=lt1981', ['p1', 'p3', 'p4']);
        await expectIds('Observation?code=85354-9,29463-7', ['o1', 'o2', 'o3', 'o6']);
      });

      test('an empty value is ignored, not an error (R4 §3.1.1.1)', async () => {
        await expectIds('Patient?_id=p1,p2,p3,p4,p5,p6&family=&gender=male', ['p2', 'p5']);
        await expectIds('Patient?_id=p1,p2,p3,p4,p5,p6&birthdate=&gender=male', ['p2', 'p5']);
      });

      test('_id', async () => {
        await expectIds('Patient?_id=p1', ['p1']);
        await expectIds('Patient?_id=p1,p3,nope', ['p1', 'p3']);
        await expectIds('Patient?_id=p1&gender=male', []);
      });
    });

    describe('chains', () => {
      test('chained parameters, with and without a type', async () => {
        await expectIds('Observation?subject:Patient.name=mukamana', ['o1', 'o3']);
        await expectIds('Observation?subject.family=hakizimana', ['o2']);
        await expectIds('Patient?general-practitioner.name=nshimiyimana', ['p1']);
        await expectIds('Patient?general-practitioner:Practitioner.address-city=musanze', ['p2']);
        await expectIds('Observation?subject:Patient.identifier=1198070012345678', ['o1', 'o3']);
      });

      test('two- and three-level chains', async () => {
        await expectIds('Observation?subject:Patient.organization.name=CHUK', ['o1', 'o3']);
        await expectIds('Observation?subject:Patient.organization.partof.name=ministry', ['o1', 'o2', 'o3']);
      });

      test('a chain deeper than the server allows, or through a non-reference, is refused', async () => {
        await expectRefused('Observation?subject:Patient.organization.partof.partof.partof.name=x', 'subject');
        await expectRefused('Patient?family.name=x', 'family');
        await expectRefused('Patient?general-practitioner.nonsense=x', 'general-practitioner');
      });

      test('_has: reverse chains, nested', async () => {
        await expectIds(`Patient?_has:Observation:patient:code=${q(`${LOINC}|85354-9`)}`, ['p1', 'p2']);
        await expectIds(`Patient?_has:Observation:subject:value-quantity=${q('gt99||/min')}`, ['p3']);
        await expectIds('Patient?_has:Observation:patient:_has:DiagnosticReport:result:status=final', ['p1']);
        await expectIds('Practitioner?_has:Patient:general-practitioner:gender=male', ['dr2']);
        await expectRefused('Patient?_has:Observation:nonsense:code=x', 'nonsense');
      });
    });

    describe('_include and _revinclude', () => {
      test('_include of a reference, restricted to a target type, and *', async () => {
        const bundle = await search('Observation?code=85354-9&_include=Observation:subject');
        assert.deepEqual(matchIds(bundle).sort(), ['o1', 'o2']);
        assert.deepEqual(includedIds(bundle), ['Patient/p1', 'Patient/p2']);
        assert.deepEqual(includedIds(await search('Observation?code=85354-9&_include=Observation:performer:Practitioner')), ['Practitioner/dr1']);
        assert.deepEqual(includedIds(await search('Observation?_id=o1&_include=*')), ['Encounter/e1', 'Patient/p1', 'Practitioner/dr1']);
      });

      test('_revinclude', async () => {
        assert.deepEqual(includedIds(await search('Patient?_id=p1&_revinclude=Observation:subject')), ['Observation/o1', 'Observation/o3']);
        assert.deepEqual(
          includedIds(await search('Patient?_id=p1&_revinclude=Observation:subject&_revinclude:iterate=DiagnosticReport:result')),
          ['DiagnosticReport/rep1', 'Observation/o1', 'Observation/o3']);
      });

      test(':iterate follows includes of included resources (MedicationRequest → Patient → Organization)', async () => {
        assert.deepEqual(includedIds(await search('MedicationRequest?_id=mr1&_include=MedicationRequest:subject&_include=Patient:organization')), ['Patient/p1']);
        assert.deepEqual(
          includedIds(await search('MedicationRequest?_id=mr1&_include=MedicationRequest:subject&_include:iterate=Patient:organization')),
          ['Organization/chuk', 'Patient/p1']);
        assert.deepEqual(
          includedIds(await search('MedicationRequest?_id=mr1&_include=MedicationRequest:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof')),
          ['Organization/chuk', 'Organization/moh', 'Patient/p1']);
      });

      test('an unknown include is refused', async () => {
        await expectRefused('Observation?_include=Observation:nonsense', '_include');
        await expectRefused('Observation?_include=Nonsense:subject', '_include');
      });
    });

    describe('_sort', () => {
      const six = '_id=p1,p2,p3,p4,p5,p6';

      test('string, date and token keys, ascending and descending, missing values last', async () => {
        await expectOrder('Patient?_id=p1,p2,p3,p5&_sort=family', ['p2', 'p1', 'p3', 'p5']);
        await expectOrder('Patient?_id=p1,p2,p3,p5&_sort=-family', ['p5', 'p3', 'p1', 'p2']);
        // Ascending by where the date starts, descending by where it ends: 1980-05 starts before 1980-05-12.
        await expectOrder(`Patient?${six}&_sort=birthdate`, ['p2', 'p3', 'p1', 'p4', 'p5', 'p6']);
        await expectOrder(`Patient?${six}&_sort=-birthdate`, ['p5', 'p3', 'p4', 'p1', 'p2', 'p6']);
        await expectOrder(`Patient?${six}&_sort=gender,-birthdate`, ['p3', 'p4', 'p1', 'p5', 'p2', 'p6']);
        await expectOrder('Observation?code=85354-9,29463-7&_sort=-date', ['o6', 'o3', 'o2', 'o1']);
        // o7's period has no end yet: it is the latest.
        await expectOrder('Observation?code=15074-8,29463-7&_sort=-date', ['o7', 'o6', 'o3']);
        await expectOrder('Observation?code=15074-8,29463-7&_sort=date', ['o3', 'o7', 'o6']);
      });

      test('_id and _lastUpdated', async () => {
        await expectOrder(`Patient?${six}&_sort=-_id`, ['p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
        await expectOrder('Patient?_id=p3,p1,p2&_sort=_id', ['p1', 'p2', 'p3']);
        for (const id of ['s1', 's2', 's3']) {
          await put(patient(id, { name: [name('Sortedbytime')] }));
          await sleep(5);
        }
        await expectOrder('Patient?family=sortedbytime&_sort=-_lastUpdated', ['s3', 's2', 's1']);
        await expectOrder('Patient?family=sortedbytime&_sort=_lastUpdated', ['s1', 's2', 's3']);
      });

      test('an unknown or unsortable key is refused', async () => {
        await expectRefused('Patient?_sort=nonsense', '_sort');
        await expectRefused('Observation?_sort=code-value-quantity', '_sort');
      });
    });

    describe('result parameters', () => {
      test('_count with next and previous links that walk the whole result', async () => {
        const first = await search(`Patient?_id=p1,p2,p3,p4,p5,p6&_sort=_id&_count=2`);
        assert.deepEqual(matchIds(first), ['p1', 'p2']);
        assert.equal(first.total, 6);
        const link = (b: Json, relation: string) => b.link.find((l: Json) => l.relation === relation)?.url as string | undefined;
        assert.ok(link(first, 'self'));
        assert.equal(link(first, 'previous'), undefined);
        const second = await search(link(first, 'next') as string);
        assert.deepEqual(matchIds(second), ['p3', 'p4']);
        assert.deepEqual(matchIds(await search(link(second, 'previous') as string)), ['p1', 'p2']);
        const third = await search(link(second, 'next') as string);
        assert.deepEqual(matchIds(third), ['p5', 'p6']);
        assert.equal(link(third, 'next'), undefined);
      });

      test('_total=accurate and _total=none', async () => {
        assert.equal((await search('Patient?gender=female&_count=1&_total=accurate')).total, 3);
        assert.equal((await search('Patient?gender=female&_total=accurate')).total, 3);
        assert.equal((await search('Patient?gender=female&_count=1&_total=none')).total, undefined);
        assert.equal((await search('Patient?gender=female&_total=none')).total, undefined);
      });

      test('_summary=count gives the total and no entries', async () => {
        const bundle = await search('Patient?gender=female&_summary=count');
        assert.equal(bundle.total, 3);
        assert.equal((bundle.entry ?? []).length, 0);
      });

      test('_elements keeps the named elements (and id, meta) and marks the result SUBSETTED', async () => {
        const bundle = await search('Patient?_id=p1&_elements=identifier,gender');
        const resource = bundle.entry[0].resource;
        assert.deepEqual(Object.keys(resource).sort(), ['gender', 'id', 'identifier', 'meta', 'resourceType']);
        assert.ok(resource.meta.tag.some((t: Json) => t.code === 'SUBSETTED'));
      });

      test('POST _search with a form body, alone or with URL parameters', async () => {
        const form = (body: string, path = 'Patient/_search') =>
          s.fhir(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        const res = await form('family=Mukamana&given=aline');
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(matchIds(res.body), ['p1']);
        const mixed = await form('gender=female', 'Patient/_search?family=mukamana');
        assert.deepEqual(matchIds(mixed.body).sort(), ['p1', 'p4']);
      });
    });

    describe('what the server cannot honour', () => {
      test('an unknown parameter is refused with an OperationOutcome naming it; lenient handling ignores it', async () => {
        await expectRefused('Patient?nonsense=1', 'nonsense');
        await expectRefused('Patient?family=mukamana&nonsense=1', 'nonsense');
        const lenient = await search('Patient?family=mukamana&nonsense=1', { prefer: 'handling=lenient' });
        assert.deepEqual(matchIds(lenient).sort(), ['p1', 'p4']);
      });

      test('bad values, prefixes and modifiers are refused naming the parameter', async () => {
        await expectRefused('Patient?birthdate=1980-13-01', 'birthdate');
        await expectRefused('Patient?birthdate=1980-02-30', 'birthdate');
        await expectRefused('Patient?birthdate=not-a-date', 'birthdate');
        await expectRefused('Patient?birthdate=xx1980', 'birthdate');
        await expectRefused('Patient?birthdate=gt', 'birthdate');
        await expectRefused(`Patient?_lastUpdated=${q('2024-01-01T25:00:00Z')}`, '_lastUpdated');
        await expectRefused('RiskAssessment?probability=abc', 'probability');
        await expectRefused('RiskAssessment?probability=zz50', 'probability');
        await expectRefused('Observation?value-quantity=gtabc', 'value-quantity');
        await expectRefused('Patient?family:nonsense=x', 'family');
        await expectRefused('Patient?gender:exact=female', 'gender');
        await expectRefused('Patient?birthdate:missing=maybe', 'birthdate');
        await expectRefused(`Observation?code-value-quantity=${q(`${LOINC}|29463-7`)}`, 'code-value-quantity');
        await expectRefused('Patient?_count=-1', '_count');
        await expectRefused('Patient?_total=sometimes', '_total');
        await expectRefused('Location?near=-95|30.06|10|km', 'near');
      });

      test('SQL in a value is a value', async () => {
        await expectIds(`Patient?family=${q("';DROP TABLE resource;--")}`, ['p6']);
        await expectIds(`Patient?name=${q("x' OR '1'='1")}`, []);
        await expectIds(`Patient?_id=${q("p1' OR '1'='1")}`, []);
        await expectIds(`Patient?family:exact=${q("';DROP TABLE resource;--")}`, ['p6']);
        await expectIds(`Patient?identifier=${q("x|y' OR 1=1--")}`, []);
        await expectIds(`Patient?birthdate:missing=true&family=${q('%')}`, []);
        await expectIds(`Patient?family=${q('_')}`, []);
        await expectRefused(`Patient?_sort=${q('family;DROP TABLE resource')}`, '_sort');
        await expectRefused(`Patient?${q("fam'ily")}=x`, "fam'ily");
        const count = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient'`);
        assert.ok(count.rows[0].n >= 6);
        await expectIds('Patient?_id=p1', ['p1']);
      });
    });

    describe('paging stability', () => {
      test('pages after the first show the result as it was, whatever is written meanwhile', async () => {
        const pager = (given: string) => patient(`pg-${given}`, { meta: { tag: [{ system: TAGS, code: 'paging' }] }, name: [name('Pager', given)] });
        for (const given of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) await put(pager(given));
        const query = `Patient?_tag=${q(`${TAGS}|paging`)}&_sort=given&_count=3`;
        const everything = await search(`Patient?_tag=${q(`${TAGS}|paging`)}&_sort=given&_count=100`);
        const original = new Map<string, string>(everything.entry.map((e: Json) => [e.resource.id, JSON.stringify(e.resource)]));
        assert.equal(original.size, 7);

        const pages = [await search(query)];
        assert.equal(pages[0].total, 7);
        // Meanwhile: a new match that sorts first, a match changed, matches deleted (one already shown, one not yet).
        await put(pager('AA'));
        await put({ ...pager('E'), name: [name('Pager', 'Z')], gender: 'unknown' });
        assert.equal((await s.fhir('Patient/pg-B', { method: 'DELETE' })).status, 204);
        assert.equal((await s.fhir('Patient/pg-F', { method: 'DELETE' })).status, 204);
        for (let next = pages[0]; ;) {
          const url = next.link.find((l: Json) => l.relation === 'next')?.url;
          if (!url) break;
          next = await search(url);
          pages.push(next);
        }
        const seen = pages.flatMap((p) => p.entry.map((e: Json) => e.resource));
        assert.deepEqual(seen.map((r: Json) => r.id), ['pg-A', 'pg-B', 'pg-C', 'pg-D', 'pg-E', 'pg-F', 'pg-G']);
        for (const r of seen) assert.equal(JSON.stringify(r), original.get(r.id), `${r.id} as it was when the search ran`);
        for (const p of pages) assert.equal(p.total, 7);

        // A new search sees the writes.
        const fresh = await search(`Patient?_tag=${q(`${TAGS}|paging`)}&_sort=given&_count=100`);
        assert.deepEqual(matchIds(fresh), ['pg-A', 'pg-AA', 'pg-C', 'pg-D', 'pg-G', 'pg-E']);
      });
    });
  });
}
