import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { makeNationalId } from './national-id.ts';

type Json = any;

const NID = 'https://moh.gov.rw/fhir/id/national-id';
const GOLDEN = 'https://huza.rw/fhir/CodeSystem/client-registry|golden';
const MRN = (facility: string) => `https://moh.gov.rw/fhir/id/facility-mrn/${facility}`;
const nid = (sequence: number, birthYear = 1990, sex: 'male' | 'female' = 'female') => makeNationalId({ status: 'citizen', birthYear, sex, sequence, issue: 0 });
const address = (village: string) => [{
  district: 'Musanze', country: 'RW',
  extension: [
    { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-sector', valueString: 'Muhoza' },
    { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-cell', valueString: 'Mpenge' },
    { url: 'https://moh.gov.rw/fhir/StructureDefinition/address-village', valueString: village },
  ],
}];

function patient(p: { family: string; given: string[]; birthDate?: string; gender?: string; phone?: string; nid?: string; mrn?: [string, string]; village?: string }): Json {
  return {
    resourceType: 'Patient',
    identifier: [
      ...(p.nid ? [{ system: NID, value: p.nid }] : []),
      ...(p.mrn ? [{ system: MRN(p.mrn[0]), value: p.mrn[1] }] : []),
    ],
    name: [{ family: p.family, given: p.given }],
    ...(p.gender ? { gender: p.gender } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.phone ? { telecom: [{ system: 'phone', value: p.phone }] } : {}),
    address: address(p.village ?? 'Kabeza'),
  };
}

for (const kind of testDatabaseKinds) {
  describe(`client registry on ${kind.name}`, () => {
    let s: TestServer;
    const create = async (body: Json) => {
      const res = await s.fhir('Patient', { method: 'POST', body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const personOf = async (sourceId: string): Promise<Json> => {
      const res = await s.fhir(`Patient?_tag=${GOLDEN}&link=Patient/${sourceId}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.entry?.length, 1, `one golden record for ${sourceId}: ${JSON.stringify(res.body)}`);
      return res.body.entry[0].resource;
    };
    const patientCount = async () => (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient'")).rows[0].n;
    const op = (name: string, parameter: Json[]) => s.fhir(`Patient/$${name}`, { method: 'POST', body: { resourceType: 'Parameters', parameter } });

    before(async () => {
      s = await startTestServer(kind, { clientRegistry: true });
    });
    beforeEach(() => s.reset());
    after(() => s.close());

    describe('identity', () => {
      test('a new patient becomes a person: a golden record with a registry ID, linked to the source record', async () => {
        const a = await create(patient({ family: 'Uwimana', given: ['Claudine'], birthDate: '1990-04-12', gender: 'female', nid: nid(1), mrn: ['hc-musanze-01', 'A-1'] }));
        const golden = await personOf(a.id);
        assert.equal(golden.meta.tag[0].code, 'golden');
        const registryId = golden.identifier.find((i: Json) => i.system === 'https://huza.rw/fhir/id/registry-id').value;
        assert.match(registryId, /^RW-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}.$/);
        // Identity documents are the person's; a facility's file number stays on the facility's record.
        assert.deepEqual(golden.identifier.map((i: Json) => i.system).sort(), [NID, 'https://huza.rw/fhir/id/registry-id'].sort());
        assert.deepEqual(golden.link, [{ other: { reference: `Patient/${a.id}` }, type: 'seealso' }]);
        assert.deepEqual(golden.name, a.name);
      });

      test('the same national ID at another facility is the same person, even spelled differently', async () => {
        const a = await create(patient({ family: 'Uwimana', given: ['Claudine'], birthDate: '1990-04-12', gender: 'female', nid: nid(2), mrn: ['hc-musanze-01', 'A-2'] }));
        const b = await create(patient({ family: 'Uwimanna', given: ['Klodine'], birthDate: '1990', gender: 'female', nid: nid(2), mrn: ['dh-musanze', 'B-2'] }));
        const golden = await personOf(b.id);
        assert.equal(golden.id, (await personOf(a.id)).id);
        assert.equal(golden.link.length, 2);
        // Survivorship: the full birth date beats the year alone.
        assert.equal(golden.birthDate, '1990-04-12');
      });

      test('without any shared identifier, strong demographic agreement links the records', async () => {
        const a = await create(patient({ family: 'Niyonsaba', given: ['Théogène'], birthDate: '1985-02-03', gender: 'male', phone: '+250788123456', mrn: ['hc-musanze-02', 'C-1'], village: 'Rugeshi' }));
        const b = await create(patient({ family: 'Niyonsaba', given: ['Theogene'], birthDate: '1985-02-03', gender: 'male', phone: '0788 123 456', mrn: ['dh-musanze', 'C-9'], village: 'Rugeshi' }));
        assert.equal((await personOf(b.id)).id, (await personOf(a.id)).id);
      });

      test('twins sharing birth date, phone and village stay two people; so do parent and child', async () => {
        const shared = { birthDate: '2012-06-01', phone: '+250788555000', village: 'Gisesero' };
        const t1 = await create(patient({ family: 'Mugisha', given: ['Eric'], gender: 'male', ...shared, mrn: ['hc-musanze-03', 'T-1'] }));
        const t2 = await create(patient({ family: 'Mugisha', given: ['Olivier'], gender: 'male', ...shared, mrn: ['hc-musanze-03', 'T-2'] }));
        assert.notEqual((await personOf(t1.id)).id, (await personOf(t2.id)).id);
        const parent = await create(patient({ family: 'Mugisha', given: ['Eric'], gender: 'male', birthDate: '1980-06-01', phone: '+250788555000', village: 'Gisesero', mrn: ['hc-musanze-03', 'P-1'] }));
        assert.notEqual((await personOf(parent.id)).id, (await personOf(t1.id)).id);
      });

      test('deleting the only source record retires its person', async () => {
        const a = await create(patient({ family: 'Habimana', given: ['Jean'], birthDate: '1970', gender: 'male', mrn: ['hc-musanze-01', 'D-1'] }));
        const golden = await personOf(a.id);
        assert.equal((await s.fhir(`Patient/${a.id}`, { method: 'DELETE' })).status, 204);
        const after = (await s.fhir(`Patient/${golden.id}`)).body;
        assert.equal(after.active, false);
      });
    });

    describe('bad input: a clear OperationOutcome and nothing stored', () => {
      const refused = async (body: Json, status: number, expression: string | RegExp, mention: RegExp) => {
        const before = await patientCount();
        const res = await s.fhir('Patient', { method: 'POST', body });
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.body.resourceType, 'OperationOutcome');
        const issue = res.body.issue[0];
        if (typeof expression === 'string') assert.deepEqual(issue.expression, [expression]);
        else assert.match(issue.expression[0], expression);
        assert.match(issue.diagnostics, mention);
        assert.equal(await patientCount(), before, 'nothing stored');
      };
      test('unknown assigning authority', () =>
        refused({ ...patient({ family: 'Kayitesi', given: ['Aline'] }), identifier: [{ system: 'http://example.org/ids', value: '1' }] }, 400, 'Patient.identifier[0].system', /example\.org\/ids.*not registered/));
      test('identifier without a system', () =>
        refused({ ...patient({ family: 'Kayitesi', given: ['Aline'] }), identifier: [{ value: '1' }] }, 400, 'Patient.identifier[0]', /assigning authority/));
      test('malformed and impossible national IDs', async () => {
        await refused(patient({ family: 'Kayitesi', given: ['Aline'], nid: '119907000000' }), 400, 'Patient.identifier[0].value', /not valid/);
        const good = nid(5);
        const badCheck = good.slice(0, 14) + String((Number(good.slice(14)) + 1) % 100).padStart(2, '0');
        await refused(patient({ family: 'Kayitesi', given: ['Aline'], nid: badCheck }), 400, 'Patient.identifier[0].value', /check/i);
        await refused(patient({ family: 'Kayitesi', given: ['Aline'], nid: makeNationalId({ status: 'citizen', birthYear: 2099, sex: 'female', sequence: 1, issue: 0 }) }), 400, 'Patient.identifier[0].value', /year/i);
      });
      test('empty names and future birth dates', async () => {
        await refused({ ...patient({ family: 'X', given: [] }), name: [{ use: 'official' }] }, 400, 'Patient.name', /at least one name/);
        await refused({ ...patient({ family: 'X', given: [] }), name: [{ family: ' ' }] }, 400, /^Patient\.name\[0\]\.family$/, /.+/);
        await refused(patient({ family: 'Kayitesi', given: ['Aline'], birthDate: '2999-01-01' }), 400, 'Patient.birthDate', /future/);
      });
      test('one national ID claimed by two different people', async () => {
        await create(patient({ family: 'Mukamana', given: ['Vestine'], birthDate: '1990-01-01', gender: 'female', nid: nid(9) }));
        await refused(patient({ family: 'Nsengimana', given: ['Emmanuel'], birthDate: '1951-12-30', gender: 'male', nid: nid(9) }), 409, 'Patient.identifier[0]', /already belongs to another person/);
      });
      test('golden records cannot be written by sources', async () => {
        const a = await create(patient({ family: 'Ingabire', given: ['Grace'], birthDate: '1995', gender: 'female' }));
        const golden = await personOf(a.id);
        const res = await s.fhir(`Patient/${golden.id}`, { method: 'PUT', body: { ...golden, name: [{ family: 'Hacked' }] } });
        assert.equal(res.status, 403, JSON.stringify(res.body));
        assert.equal((await personOf(a.id)).name[0].family, 'Ingabire');
      });
    });

    describe('IHE queries', () => {
      test('PIXm $ihe-pix: every identifier and record of the person; unknown domain 400, unknown value 404', async () => {
        const a = await create(patient({ family: 'Uwase', given: ['Diane'], birthDate: '1999-09-09', gender: 'female', nid: nid(11, 1999), mrn: ['hc-musanze-01', 'P-11'] }));
        const b = await create(patient({ family: 'Uwase', given: ['Diane'], birthDate: '1999-09-09', gender: 'female', nid: nid(11, 1999), mrn: ['dh-musanze', 'Q-11'] }));
        const res = await s.fhir(`Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`${MRN('hc-musanze-01')}|P-11`)}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const ids = res.body.parameter.filter((p: Json) => p.name === 'targetIdentifier').map((p: Json) => `${p.valueIdentifier.system}|${p.valueIdentifier.value}`);
        assert.ok(ids.includes(`${MRN('dh-musanze')}|Q-11`) && ids.includes(`${NID}|${nid(11, 1999)}`), ids.join());
        const targets = res.body.parameter.filter((p: Json) => p.name === 'targetId').map((p: Json) => p.valueReference.reference);
        assert.ok(targets.includes(`Patient/${a.id}`) && targets.includes(`Patient/${b.id}`));
        const only = await s.fhir(`Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`${MRN('hc-musanze-01')}|P-11`)}&targetSystem=${encodeURIComponent(MRN('dh-musanze'))}`);
        assert.deepEqual(only.body.parameter.filter((p: Json) => p.name === 'targetIdentifier').map((p: Json) => p.valueIdentifier.value), ['Q-11']);
        assert.equal((await s.fhir('Patient/$ihe-pix?sourceIdentifier=http://unknown.example|1')).status, 400);
        assert.equal((await s.fhir(`Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`${MRN('hc-musanze-01')}|NOPE`)}`)).status, 404);
        assert.equal((await s.fhir('Patient/$ihe-pix?sourceIdentifier=no-bar')).status, 400);
      });

      test('PDQm $match: scored golden records with the match-grade extension', async () => {
        const a = await create(patient({ family: 'Nyirahabimana', given: ['Josiane'], birthDate: '1988-03-15', gender: 'female', phone: '+250788700700', mrn: ['hc-musanze-01', 'M-1'] }));
        await create(patient({ family: 'Bizimana', given: ['Patrick'], birthDate: '1960-11-01', gender: 'male', mrn: ['hc-musanze-01', 'M-2'] }));
        const res = await op('match', [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Nyirahabimana', given: ['Josianne'] }], birthDate: '1988-03-15', gender: 'female', telecom: [{ system: 'phone', value: '0788700700' }] } }]);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.resourceType, 'Bundle');
        const first = res.body.entry[0];
        assert.equal(first.resource.id, (await personOf(a.id)).id);
        assert.equal(first.search.mode, 'match');
        assert.ok(first.search.score > 0.5 && first.search.score <= 1, String(first.search.score));
        assert.ok(['certain', 'probable'].includes(first.search.extension[0].valueCode));
        assert.ok(!res.body.entry.some((e: Json) => e.resource.name[0].family === 'Bizimana' && e.search.extension[0].valueCode !== 'possible'));
        const none = await op('match', [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Zzzz', given: ['Qqqq'] }], birthDate: '1901-01-01' } }]);
        assert.equal(none.body.entry.length, 0);
        assert.equal((await op('match', [{ name: 'count', valueInteger: 3 }])).status, 400);
        assert.equal((await op('match', [{ name: 'resource', resource: { resourceType: 'Observation' } }])).status, 400);
      });
    });

    describe('data stewards', () => {
      test('review queue, link, unlink, merge and not-a-duplicate; every decision kept in the history', async () => {
        // Rules that send every candidate pair to review.
        const rules = await op('cr-rules', []);
        const current = JSON.parse(rules.body.parameter.find((p: Json) => p.name === 'rules').valueString);
        const saved = await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify({ ...current, version: current.version + 1, autoLinkAbove: 500, reviewAbove: -500, possibleAbove: -1000 }) }]);
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        try {
          const a = await create(patient({ family: 'Tuyishime', given: ['Alice'], birthDate: '1993-07-07', gender: 'female', phone: '+250788111222', mrn: ['hc-musanze-01', 'R-1'] }));
          const b = await create(patient({ family: 'Tuyishime', given: ['Alice'], birthDate: '1993-07-07', gender: 'female', phone: '+250788111222', mrn: ['dh-musanze', 'R-2'] }));
          assert.notEqual((await personOf(a.id)).id, (await personOf(b.id)).id);
          const queue = await s.fhir('Patient/$cr-reviews');
          assert.equal(queue.status, 200, JSON.stringify(queue.body));
          const review = queue.body.parameter.find((p: Json) => p.part.some((x: Json) => x.name === 'source' && x.valueReference.reference === `Patient/${b.id}`));
          assert.ok(review, JSON.stringify(queue.body));
          const fields = JSON.parse(review.part.find((x: Json) => x.name === 'fields').valueString);
          assert.ok(fields.some((f: Json) => f.field && typeof f.weight === 'number'), 'agreement per field with its weight');
          assert.ok(!JSON.stringify(fields).includes('Tuyishime'), 'no names stored in the queue');

          const linked = await op('cr-link', [{ name: 'source', valueString: b.id }, { name: 'person', valueString: (await personOf(a.id)).id }, { name: 'reason', valueString: 'same phone, same birth date' }]);
          assert.equal(linked.status, 200, JSON.stringify(linked.body));
          assert.equal((await personOf(b.id)).id, (await personOf(a.id)).id);
          assert.equal((await s.fhir('Patient/$cr-reviews')).body.parameter?.length ?? 0, 0);

          const unlinked = await op('cr-link', [{ name: 'source', valueString: b.id }]);
          assert.equal(unlinked.status, 200);
          assert.notEqual((await personOf(b.id)).id, (await personOf(a.id)).id);

          const merged = await op('cr-merge', [{ name: 'from', valueString: (await personOf(b.id)).id }, { name: 'into', valueString: (await personOf(a.id)).id }]);
          assert.equal(merged.status, 200, JSON.stringify(merged.body));
          assert.equal((await personOf(b.id)).id, (await personOf(a.id)).id);

          const apart = await op('cr-not-duplicate', [{ name: 'a', valueString: a.id }, { name: 'b', valueString: b.id }]);
          assert.equal(apart.status, 200, JSON.stringify(apart.body));
          assert.notEqual((await personOf(b.id)).id, (await personOf(a.id)).id);

          const history = await op('cr-history', [{ name: 'source', valueString: b.id }]);
          const methods = history.body.parameter.map((p: Json) => p.part.find((x: Json) => x.name === 'method').valueCode);
          assert.deepEqual(methods, ['new', 'steward', 'steward', 'steward']);
          assert.ok(history.body.parameter[1].part.some((x: Json) => x.name === 'reason' && x.valueString === 'same phone, same birth date'));
          // "Not a duplicate" took the first record out of the shared person.
          const ofA = (await op('cr-history', [{ name: 'source', valueString: a.id }])).body.parameter;
          assert.ok(ofA.at(-1).part.some((x: Json) => x.name === 'reason' && /not a duplicate/.test(x.valueString)), JSON.stringify(ofA.at(-1)));
        } finally {
          await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify(current) }]);
        }
      });

      test('re-matching after a rule change links records without resubmitting them', async () => {
        const rules = await op('cr-rules', []);
        const current = JSON.parse(rules.body.parameter.find((p: Json) => p.name === 'rules').valueString);
        await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify({ ...current, autoLinkAbove: 500, reviewAbove: 400 }) }]);
        const a = await create(patient({ family: 'Hakizimana', given: ['Samuel'], birthDate: '1977-01-20', gender: 'male', phone: '+250788333444', mrn: ['hc-musanze-01', 'S-1'] }));
        const b = await create(patient({ family: 'Hakizimana', given: ['Samuel'], birthDate: '1977-01-20', gender: 'male', phone: '+250788333444', mrn: ['dh-musanze', 'S-2'] }));
        assert.notEqual((await personOf(b.id)).id, (await personOf(a.id)).id);
        await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify(current) }]);
        const rematch = await op('cr-rematch', []);
        assert.equal(rematch.status, 200, JSON.stringify(rematch.body));
        assert.ok(rematch.body.parameter.find((p: Json) => p.name === 'changed').valueInteger >= 1);
        assert.equal((await personOf(b.id)).id, (await personOf(a.id)).id);
      });

      test('bad rules are refused naming each problem; stewards only', async () => {
        const bad = await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify({ version: 1, autoLinkAbove: 'high', reviewAbove: 8 }) }]);
        assert.equal(bad.status, 400, JSON.stringify(bad.body));
        assert.match(bad.body.issue[0].diagnostics, /autoLinkAbove/);
        assert.equal((await op('cr-rules', [{ name: 'rules', valueString: '{nope' }])).status, 400);
        const readOnly = await s.systemTokenFor('system/Patient.rs');
        const denied = await s.fhir('Patient/$cr-reviews', { headers: { authorization: `Bearer ${readOnly}` } });
        assert.equal(denied.status, 403, JSON.stringify(denied.body));
      });
    });
  });
}
