import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { followPages } from '../../test-support/follow-pages.ts';
import { serve, startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { createFhirEngine } from '../fhir-engine.ts';

type Json = any;

const heartRate = { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] };
const observation = (subject: string, extra: Record<string, unknown> = {}): Json => ({
  resourceType: 'Observation', status: 'final', code: heartRate, subject: { reference: subject },
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' }, ...extra,
});

function assertOutcome(res: { status: number; body: Json }, status: number, mention?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.resourceType, 'OperationOutcome', JSON.stringify(res.body));
  if (mention) assert.ok(JSON.stringify(res.body).includes(mention), `'${mention}' not in ${JSON.stringify(res.body)}`);
}

const keyOf = (e: Json) => `${e.resource.resourceType}/${e.resource.id}`;

for (const kind of testDatabaseKinds) {
  describe(`operations on ${kind.name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });
    const create = async (resource: Json): Promise<Json> => {
      const res = await s.fhir(resource.id ? `${resource.resourceType}/${resource.id}` : resource.resourceType, { method: resource.id ? 'PUT' : 'POST', body: resource });
      assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
      return res.body;
    };
    const allPages = (first: Json) => followPages((path) => s.fhir(path), first, 50);

    describe('Patient/[id]/$everything', () => {
      const ids: Record<string, string> = {};
      before(async () => {
        await s.reset();
        ids.org = (await create({ resourceType: 'Organization', name: 'CHUK' })).id;
        ids.clinic = (await create({ resourceType: 'Organization', name: 'Kacyiru Health Centre' })).id;
        ids.gp = (await create({ resourceType: 'Practitioner', name: [{ family: 'Nkurunziza' }] })).id;
        ids.performer = (await create({ resourceType: 'Practitioner', name: [{ family: 'Mukeshimana' }] })).id;
        ids.unrelatedPractitioner = (await create({ resourceType: 'Practitioner', name: [{ family: 'Unrelated' }] })).id;
        ids.medication = (await create({ resourceType: 'Medication', code: { text: 'Amoxicillin 500mg' } })).id;
        ids.a = (await create({
          resourceType: 'Patient', name: [{ family: 'Ingabire' }],
          managingOrganization: { reference: `Organization/${ids.org}` },
          generalPractitioner: [{ reference: `Practitioner/${ids.gp}` }],
        })).id;
        ids.b = (await create({ resourceType: 'Patient', name: [{ family: 'Other' }], managingOrganization: { reference: `Organization/${ids.org}` } })).id;
        ids.bObs = (await create(observation(`Patient/${ids.b}`, { performer: [{ reference: `Practitioner/${ids.unrelatedPractitioner}` }] }))).id;
        ids.aObs1 = (await create(observation(`Patient/${ids.a}`, { performer: [{ reference: `Practitioner/${ids.performer}` }] }))).id;
        // Refers to the other patient's Observation: that one must not come along.
        ids.aObs2 = (await create(observation(`Patient/${ids.a}`, { hasMember: [{ reference: `Observation/${ids.bObs}` }] }))).id;
        ids.encounter = (await create({
          resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
          subject: { reference: `Patient/${ids.a}` }, serviceProvider: { reference: `Organization/${ids.clinic}` },
          period: { start: '2024-03-01T09:00:00Z', end: '2024-03-01T10:00:00Z' },
        })).id;
        ids.condition = (await create({ resourceType: 'Condition', subject: { reference: `Patient/${ids.a}` }, code: { text: 'Malaria' }, recordedDate: '2024-03-01' })).id;
        ids.medRequest = (await create({
          resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${ids.a}` },
          medicationReference: { reference: `Medication/${ids.medication}` },
        })).id;
        const gone = await create(observation(`Patient/${ids.a}`));
        await s.fhir(`Observation/${gone.id}`, { method: 'DELETE' });
      });

      test('the patient first, then its compartment and what it refers to, and nothing of another patient', async () => {
        const res = await s.fhir(`Patient/${ids.a}/$everything`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.resourceType, 'Bundle');
        assert.equal(res.body.type, 'searchset');
        const entries = await allPages(res.body);
        assert.equal(keyOf(entries[0]), `Patient/${ids.a}`);
        const got = new Set(entries.map(keyOf));
        assert.equal(got.size, entries.length, 'no duplicates');
        const expected = [
          `Patient/${ids.a}`, `Observation/${ids.aObs1}`, `Observation/${ids.aObs2}`, `Encounter/${ids.encounter}`,
          `Condition/${ids.condition}`, `MedicationRequest/${ids.medRequest}`,
          `Practitioner/${ids.performer}`, `Practitioner/${ids.gp}`, `Organization/${ids.org}`, `Organization/${ids.clinic}`,
          `Medication/${ids.medication}`,
        ];
        assert.deepEqual([...got].sort(), expected.sort());
        for (const never of [`Patient/${ids.b}`, `Observation/${ids.bObs}`, `Practitioner/${ids.unrelatedPractitioner}`]) assert.ok(!got.has(never), never);
        assert.equal(res.body.total, expected.length);
        assert.ok(entries.every((e: Json) => e.fullUrl === `${s.fhirBase}/${keyOf(e)}`));
      });

      test('the other patient gets only its own', async () => {
        const res = await s.fhir(`Patient/${ids.b}/$everything`);
        const got = new Set((await allPages(res.body)).map(keyOf));
        assert.deepEqual([...got].sort(), [`Patient/${ids.b}`, `Observation/${ids.bObs}`, `Practitioner/${ids.unrelatedPractitioner}`, `Organization/${ids.org}`].sort());
      });

      test('_type narrows the resource types', async () => {
        const res = await s.fhir(`Patient/${ids.a}/$everything?_type=Observation,Patient`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const got = (await allPages(res.body)).map(keyOf);
        assert.deepEqual(got.sort(), [`Patient/${ids.a}`, `Observation/${ids.aObs1}`, `Observation/${ids.aObs2}`].sort());
        const onlyConditions = await s.fhir(`Patient/${ids.a}/$everything?_type=Condition`);
        assert.deepEqual(onlyConditions.body.entry.map(keyOf), [`Condition/${ids.condition}`]);
      });

      test('_since keeps what changed at or after the instant', async () => {
        await new Promise((r) => setTimeout(r, 10));
        const current = await s.fhir(`Condition/${ids.condition}`);
        const updated = await s.fhir(`Condition/${ids.condition}`, { method: 'PUT', body: { ...current.body, code: { text: 'Malaria, treated' } } });
        const since = updated.body.meta.lastUpdated;
        const res = await s.fhir(`Patient/${ids.a}/$everything?_since=${encodeURIComponent(since)}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const got = res.body.entry.map(keyOf).filter((k: string) => !k.startsWith('Patient/'));
        assert.deepEqual(got, [`Condition/${ids.condition}`]);
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?_since=last-week`), 400, '_since');
      });

      test('_count pages through next links, stable while new members arrive', async () => {
        const whole = (await allPages((await s.fhir(`Patient/${ids.a}/$everything`)).body)).map(keyOf);
        const one = (await allPages((await s.fhir(`Patient/${ids.a}/$everything?_count=0`)).body)).map(keyOf);
        assert.deepEqual(one, whole, '_count=0 still pages (one at a time) and ends');
        const first = await s.fhir(`Patient/${ids.a}/$everything?_count=3`);
        assert.equal(first.status, 200);
        assert.equal(first.body.entry.length, 3);
        assert.equal(keyOf(first.body.entry[0]), `Patient/${ids.a}`);
        assert.ok(first.body.link.some((l: Json) => l.relation === 'next'));
        const late = await create(observation(`Patient/${ids.a}`));
        const paged = (await allPages(first.body)).map(keyOf);
        assert.deepEqual(paged, whole);
        assert.ok(!paged.includes(`Observation/${late.id}`));
        const fresh = (await allPages((await s.fhir(`Patient/${ids.a}/$everything`)).body)).map(keyOf);
        assert.ok(fresh.includes(`Observation/${late.id}`));
        await s.fhir(`Observation/${late.id}`, { method: 'DELETE' });
      });

      test('POST with a Parameters body works like GET', async () => {
        const res = await s.fhir(`Patient/${ids.a}/$everything`, {
          method: 'POST',
          body: { resourceType: 'Parameters', parameter: [{ name: '_type', valueCode: 'Encounter' }, { name: '_count', valueInteger: 5 }] },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.entry.map(keyOf), [`Encounter/${ids.encounter}`]);
      });

      test('unknown or deleted patient: 404 / 410', async () => {
        assertOutcome(await s.fhir('Patient/nobody/$everything'), 404);
        const gone = await create({ resourceType: 'Patient', name: [{ family: 'Gone' }] });
        await s.fhir(`Patient/${gone.id}`, { method: 'DELETE' });
        assertOutcome(await s.fhir(`Patient/${gone.id}/$everything`), 410);
      });

      test('bad parameters are 400 naming the parameter', async () => {
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?foo=1`), 400, 'foo');
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?_count=many`), 400, '_count');
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?start=2024-13`), 400, 'start');
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?_type=Nonsense`), 400, '_type');
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything?_count=1&_count=2`), 400, '_count');
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything`, { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ valueCode: 'x' }] } }), 400);
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything`, { method: 'POST', body: { resourceType: 'Observation' } }), 400);
        assertOutcome(await s.fhir(`Patient/${ids.a}/$everything`, { method: 'DELETE' }), 405);
      });
    });

    describe('$validate', () => {
      const valid = { resourceType: 'Patient', name: [{ family: 'Valid' }], gender: 'female', birthDate: '1985-02-03' };
      const invalid = { resourceType: 'Patient', name: [{ family: 'Invalid' }], gender: 'sometimes', birthDate: '03/02/1985' };

      test('type level: a valid resource gives information, an invalid one errors with expressions; nothing is stored', async () => {
        const before = (await s.fhir('Patient?_summary=count')).body.total;
        const ok = await s.fhir('Patient/$validate', { method: 'POST', body: valid });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.resourceType, 'OperationOutcome');
        assert.ok(ok.body.issue.every((i: Json) => i.severity === 'information' || i.severity === 'warning'), JSON.stringify(ok.body));

        const bad = await s.fhir('Patient/$validate', { method: 'POST', body: invalid });
        assert.equal(bad.status, 200, JSON.stringify(bad.body));
        const errors = bad.body.issue.filter((i: Json) => i.severity === 'error');
        assert.ok(errors.length >= 2, JSON.stringify(bad.body));
        const expressions = errors.flatMap((i: Json) => i.expression ?? []);
        assert.ok(expressions.includes('Patient.birthDate'), JSON.stringify(bad.body));
        assert.ok(expressions.includes('Patient.gender'), JSON.stringify(bad.body));

        const wrapped = await s.fhir('Patient/$validate', { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: invalid }, { name: 'mode', valueCode: 'create' }] } });
        assert.equal(wrapped.status, 200);
        assert.deepEqual(wrapped.body, bad.body);
        assert.equal((await s.fhir('Patient?_summary=count')).body.total, before, '$validate stores nothing');
      });

      test('instance level: update and delete modes', async () => {
        const stored = await create({ ...valid });
        const update = await s.fhir(`Patient/${stored.id}/$validate?mode=update`, { method: 'POST', body: { ...stored, gender: 'male' } });
        assert.equal(update.status, 200, JSON.stringify(update.body));
        assert.ok(update.body.issue.every((i: Json) => i.severity !== 'error'));
        assertOutcome(await s.fhir(`Patient/${stored.id}/$validate?mode=update`, { method: 'POST', body: { ...stored, id: 'someone-else' } }), 400);
        const remove = await s.fhir(`Patient/${stored.id}/$validate?mode=delete`, { method: 'POST' });
        assert.equal(remove.status, 200, JSON.stringify(remove.body));
        assert.equal(remove.body.issue[0].severity, 'information');
        const viaGet = await s.fhir(`Patient/${stored.id}/$validate?mode=delete`);
        assert.equal(viaGet.status, 200, JSON.stringify(viaGet.body));
        assertOutcome(await s.fhir('Patient/nobody/$validate?mode=delete', { method: 'POST' }), 404);
        assertOutcome(await s.fhir('Patient/$validate?mode=delete', { method: 'POST' }), 400, 'mode');
        assert.equal((await s.fhir(`Patient/${stored.id}`)).body.meta.versionId, '1', '$validate changes nothing');
      });

      test('bad inputs: wrong type, no resource, unknown mode, unknown parameter', async () => {
        assertOutcome(await s.fhir('Patient/$validate', { method: 'POST', body: observation('Patient/x') }), 400);
        assertOutcome(await s.fhir('Patient/$validate', { method: 'POST' }), 400, 'resource');
        assertOutcome(await s.fhir('Patient/$validate?mode=sideways', { method: 'POST', body: valid }), 400, 'mode');
        assertOutcome(await s.fhir('Patient/$validate?colour=blue', { method: 'POST', body: valid }), 400, 'colour');
        assertOutcome(await s.fhir('Patient/$validate', { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: valid }, { name: 'resource', resource: valid }] } }), 400, 'resource');
      });

      test('$validate validates even when the server stores without validating', async () => {
        const engine = createFhirEngine(s.db, { validate: false, maxSnapshotSize: 100, contentCodec: s.cipher });
        const lax = await serve(s.db, engine);
        try {
          const res = await lax.fhir('Patient/$validate', { method: 'POST', body: invalid });
          assert.equal(res.status, 200);
          assert.ok(res.body.issue.some((i: Json) => i.severity === 'error'), JSON.stringify(res.body));
        } finally {
          await lax.close();
        }
      });
    });

    describe('operation dispatch', () => {
      test('unknown operations are 404 at every level', async () => {
        const p = await create({ resourceType: 'Patient', name: [{ family: 'Op' }] });
        assertOutcome(await s.fhir(`Patient/${p.id}/$nonsense`), 404, 'nonsense');
        assertOutcome(await s.fhir('Patient/$nonsense', { method: 'POST', body: { resourceType: 'Parameters' } }), 404);
        assertOutcome(await s.fhir('$nonsense'), 404);
        assertOutcome(await s.fhir(`Observation/x/$everything`), 404, 'everything');
        assertOutcome(await s.fhir('$everything'), 404);
      });

      test('$everything needs an instance', async () => {
        assertOutcome(await s.fhir('Patient/$everything'), 400);
      });
    });
  });
}
