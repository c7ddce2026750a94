import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../test-support/test-server.ts';

type Json = any;

const CS = 'https://example.rw/fhir/CodeSystem/conditions';
const VS = 'https://example.rw/fhir/ValueSet';
const GENDER = 'http://hl7.org/fhir/administrative-gender';

/** A small hierarchical code system: infection > (malaria > severe-malaria, pneumonia), chronic > hypertension. */
const conditions = {
  resourceType: 'CodeSystem', id: 'test-conditions', url: CS, version: '1', name: 'TestConditions', status: 'active', content: 'complete',
  hierarchyMeaning: 'is-a',
  property: [{ code: 'notSelectable', type: 'boolean' }, { code: 'severity', type: 'code' }],
  concept: [
    { code: 'infection', display: 'Infectious disease', property: [{ code: 'notSelectable', valueBoolean: true }], concept: [
      { code: 'malaria', display: 'Malaria', designation: [{ language: 'fr', value: 'Paludisme' }, { language: 'rw', value: 'Malariya' }], property: [{ code: 'severity', valueCode: 'moderate' }], concept: [
        { code: 'severe-malaria', display: 'Severe malaria', designation: [{ language: 'fr', value: 'Paludisme grave' }], property: [{ code: 'severity', valueCode: 'severe' }] },
      ] },
      { code: 'pneumonia', display: 'Pneumonia', property: [{ code: 'severity', valueCode: 'moderate' }] },
    ] },
    { code: 'chronic', display: 'Chronic disease', property: [{ code: 'notSelectable', valueBoolean: true }], concept: [
      { code: 'hypertension', display: 'Essential hypertension', property: [{ code: 'severity', valueCode: 'mild' }] },
    ] },
  ],
};

const valueSet = (id: string, compose: Json) => ({ resourceType: 'ValueSet', id, url: `${VS}/${id}`, status: 'active', compose });
const codes = (vs: Json): string[] => (vs.expansion?.contains ?? []).map((c: Json) => c.code);
const param = (p: Json, name: string): Json => p.parameter?.find((x: Json) => x.name === name);
const value = (p: Json, name: string): unknown => {
  const x = param(p, name);
  return x && x[Object.keys(x).find((k) => k.startsWith('value')) as string];
};

function assertOutcome(res: { status: number; body: Json }, status: number, mention?: string, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.resourceType, 'OperationOutcome', JSON.stringify(res.body));
  if (mention) assert.ok(JSON.stringify(res.body).includes(mention), `'${mention}' not in ${JSON.stringify(res.body)}`);
  if (code) assert.equal(res.body.issue[0].code, code, JSON.stringify(res.body));
}

for (const kind of testDatabaseKinds) {
  describe(`terminology service on ${kind.name}`, () => {
    let s: TestServer;
    const put = async (resource: Json): Promise<Json> => {
      const res = await s.fhir(`${resource.resourceType}/${resource.id}`, { method: 'PUT', body: resource });
      assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
      return res.body;
    };
    const post = (path: string, parameter: Json[]) => s.fhir(path, { method: 'POST', body: { resourceType: 'Parameters', parameter } });
    const expand = async (query: string): Promise<Json> => {
      const res = await s.fhir(`ValueSet/$expand?${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };

    before(async () => {
      s = await startTestServer(kind);
      await put(conditions);
      await put(valueSet('all', { include: [{ system: CS }] }));
      await put(valueSet('infections', { include: [{ system: CS, filter: [{ property: 'concept', op: 'is-a', value: 'infection' }] }] }));
      await put(valueSet('below-malaria', { include: [{ system: CS, filter: [{ property: 'concept', op: 'descendent-of', value: 'malaria' }] }] }));
      await put(valueSet('moderate', { include: [{ system: CS, filter: [{ property: 'severity', op: '=', value: 'moderate' }] }] }));
      await put(valueSet('regex', { include: [{ system: CS, filter: [{ property: 'code', op: 'regex', value: '.*malaria' }] }] }));
      await put(valueSet('in', { include: [{ system: CS, filter: [{ property: 'concept', op: 'in', value: 'pneumonia,hypertension' }] }] }));
      await put(valueSet('selectable-infections', {
        include: [{ valueSet: [`${VS}/infections`] }],
        exclude: [{ system: CS, concept: [{ code: 'infection' }] }],
      }));
      await put(valueSet('mixed', {
        include: [{ system: CS, concept: [{ code: 'hypertension', display: 'High blood pressure' }] }, { system: GENDER, concept: [{ code: 'female' }] }],
      }));
    });
    after(async () => {
      await s.close();
    });

    describe('$expand', () => {
      test('a FHIR package ValueSet over a package CodeSystem', async () => {
        const vs = await expand(`url=${encodeURIComponent('http://hl7.org/fhir/ValueSet/administrative-gender')}`);
        assert.deepEqual(codes(vs).sort(), ['female', 'male', 'other', 'unknown']);
        assert.equal(vs.expansion.total, 4);
        assert.equal(vs.expansion.contains[0].system, GENDER);
      });

      test('a whole stored code system, flat by default and nested on request', async () => {
        const flat = await expand(`url=${VS}/all`);
        assert.deepEqual(codes(flat), ['infection', 'malaria', 'severe-malaria', 'pneumonia', 'chronic', 'hypertension']);
        assert.equal(flat.expansion.contains[0].abstract, true);
        const nested = await expand(`url=${VS}/all&excludeNested=false`);
        assert.deepEqual(codes(nested), ['infection', 'chronic']);
        const infection = nested.expansion.contains[0];
        assert.deepEqual(infection.contains.map((c: Json) => c.code), ['malaria', 'pneumonia']);
        assert.deepEqual(infection.contains[0].contains.map((c: Json) => c.code), ['severe-malaria']);
      });

      test('intensional filters: is-a, descendent-of, property =, regex, in; imports and excludes', async () => {
        assert.deepEqual(codes(await expand(`url=${VS}/infections`)), ['infection', 'malaria', 'severe-malaria', 'pneumonia']);
        assert.deepEqual(codes(await expand(`url=${VS}/below-malaria`)), ['severe-malaria']);
        assert.deepEqual(codes(await expand(`url=${VS}/moderate`)), ['malaria', 'pneumonia']);
        assert.deepEqual(codes(await expand(`url=${VS}/regex`)), ['malaria', 'severe-malaria']);
        assert.deepEqual(codes(await expand(`url=${VS}/in`)), ['pneumonia', 'hypertension']);
        assert.deepEqual(codes(await expand(`url=${VS}/selectable-infections`)), ['malaria', 'severe-malaria', 'pneumonia']);
        const mixed = await expand(`url=${VS}/mixed`);
        assert.deepEqual(mixed.expansion.contains.map((c: Json) => [c.system, c.code, c.display]), [
          [CS, 'hypertension', 'High blood pressure'], [GENDER, 'female', 'Female'],
        ]);
      });

      test('text filter by word prefix, over displays and designations', async () => {
        assert.deepEqual(codes(await expand(`url=${VS}/all&filter=mal`)), ['malaria', 'severe-malaria']);
        assert.deepEqual(codes(await expand(`url=${VS}/all&filter=sev%20mal`)), ['severe-malaria']);
        assert.deepEqual(codes(await expand(`url=${VS}/all&filter=paludisme`)), ['malaria', 'severe-malaria']);
        const none = await expand(`url=${VS}/all&filter=zzz`);
        assert.equal(none.expansion.total, 0);
        assert.equal(none.expansion.contains, undefined);
        assert.equal(param(none.expansion, 'filter').valueString, 'zzz');
      });

      test('paging with offset and count keeps the total', async () => {
        const page = await expand(`url=${VS}/all&offset=2&count=2`);
        assert.deepEqual(codes(page), ['severe-malaria', 'pneumonia']);
        assert.equal(page.expansion.total, 6);
        assert.equal(page.expansion.offset, 2);
        const last = await expand(`url=${VS}/all&offset=5&count=2`);
        assert.deepEqual(codes(last), ['hypertension']);
      });

      test('displayLanguage uses designations where they exist', async () => {
        const fr = await expand(`url=${VS}/infections&displayLanguage=fr`);
        const display = Object.fromEntries(fr.expansion.contains.map((c: Json) => [c.code, c.display]));
        assert.equal(display.malaria, 'Paludisme');
        assert.equal(display['severe-malaria'], 'Paludisme grave');
        assert.equal(display.pneumonia, 'Pneumonia');
        const withDesignations = await expand(`url=${VS}/infections&includeDesignations=true`);
        assert.equal(withDesignations.expansion.contains[1].designation.length, 2);
      });

      test('by id, and an inline ValueSet in a Parameters body', async () => {
        const byId = await s.fhir('ValueSet/below-malaria/$expand');
        assert.equal(byId.status, 200, JSON.stringify(byId.body));
        assert.deepEqual(codes(byId.body), ['severe-malaria']);
        const inline = await post('ValueSet/$expand', [
          { name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: CS, filter: [{ property: 'concept', op: 'is-a', value: 'chronic' }] }] } } },
        ]);
        assert.equal(inline.status, 200, JSON.stringify(inline.body));
        assert.deepEqual(codes(inline.body), ['chronic', 'hypertension']);
        const packageById = await s.fhir('ValueSet/administrative-gender/$expand');
        assert.equal(packageById.status, 200);
        assert.equal(packageById.body.expansion.total, 4);
      });

      test('a stored CodeSystem wins over the package one, and a change to it is seen at once', async () => {
        await put({ resourceType: 'CodeSystem', id: 'local-gender', url: GENDER, status: 'active', content: 'complete', concept: [{ code: 'female', display: 'Gore' }, { code: 'male', display: 'Gabo' }] });
        const url = `url=${encodeURIComponent('http://hl7.org/fhir/ValueSet/administrative-gender')}`;
        assert.deepEqual((await expand(url)).expansion.contains.map((c: Json) => c.display), ['Gore', 'Gabo']);
        await put({ resourceType: 'CodeSystem', id: 'local-gender', url: GENDER, status: 'active', content: 'complete', concept: [{ code: 'female', display: 'Umugore' }] });
        assert.deepEqual((await expand(url)).expansion.contains.map((c: Json) => c.display), ['Umugore']);
        await s.fhir('CodeSystem/local-gender', { method: 'DELETE' });
        assert.equal((await expand(url)).expansion.total, 4);
      });

      test('a changed ValueSet is expanded afresh', async () => {
        await put(valueSet('changing', { include: [{ system: CS, concept: [{ code: 'malaria' }] }] }));
        assert.deepEqual(codes(await expand(`url=${VS}/changing`)), ['malaria']);
        await put(valueSet('changing', { include: [{ system: CS, concept: [{ code: 'pneumonia' }] }] }));
        assert.deepEqual(codes(await expand(`url=${VS}/changing`)), ['pneumonia']);
      });

      test('the shipped Rwandan value sets expand, in French too', async () => {
        const vs = await expand(`url=${encodeURIComponent('https://huza.rw/fhir/ValueSet/facility-type')}&displayLanguage=fr`);
        const display = Object.fromEntries(vs.expansion.contains.map((c: Json) => [c.code, c.display]));
        assert.equal(display['health-centre'], 'Centre de santé');
        assert.equal(vs.expansion.total, 9);
        const nurses = await expand(`url=${encodeURIComponent('https://huza.rw/fhir/ValueSet/nursing-midwifery-cadre')}`);
        assert.deepEqual(codes(nurses), ['nurse', 'nurse-a0', 'nurse-a1', 'nurse-a2', 'midwife', 'midwife-a0', 'midwife-a1']);
      });
    });

    describe('$lookup', () => {
      test('display, definition, designations and properties, parent and child included', async () => {
        const res = await s.fhir(`CodeSystem/$lookup?system=${CS}&code=malaria`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const p = res.body;
        assert.equal(value(p, 'name'), 'TestConditions');
        assert.equal(value(p, 'version'), '1');
        assert.equal(value(p, 'display'), 'Malaria');
        assert.equal(p.parameter.filter((x: Json) => x.name === 'designation').length, 2);
        const props = p.parameter.filter((x: Json) => x.name === 'property').map((x: Json) => `${x.part[0].valueCode}=${Object.values(x.part[1]).at(-1)}`);
        assert.ok(props.includes('parent=infection'), props.join());
        assert.ok(props.includes('child=severe-malaria'), props.join());
        assert.ok(props.includes('severity=moderate'), props.join());
        const only = await s.fhir(`CodeSystem/$lookup?system=${CS}&code=malaria&property=parent`);
        assert.deepEqual(only.body.parameter.filter((x: Json) => x.name === 'property').map((x: Json) => x.part[0].valueCode), ['parent']);
        const fr = await s.fhir(`CodeSystem/$lookup?system=${CS}&code=malaria&displayLanguage=fr`);
        assert.equal(value(fr.body, 'display'), 'Paludisme');
      });

      test('a coding in a Parameters body, and an R4 package code system', async () => {
        const res = await post('CodeSystem/$lookup', [{ name: 'coding', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' } }]);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(value(res.body, 'display'), 'ambulatory');
      });

      test('unknown code, unknown system and missing parameters are refused by name', async () => {
        assertOutcome(await s.fhir(`CodeSystem/$lookup?system=${CS}&code=nope`), 404, "'nope'");
        assertOutcome(await s.fhir('CodeSystem/$lookup?system=https://example.rw/unknown&code=x'), 404, 'https://example.rw/unknown');
        assertOutcome(await s.fhir('CodeSystem/$lookup?code=x'), 400, 'system');
        assertOutcome(await s.fhir('CodeSystem/$lookup'), 400, 'code');
        assertOutcome(await post('CodeSystem/$lookup', [
          { name: 'code', valueCode: 'malaria' }, { name: 'system', valueUri: CS }, { name: 'coding', valueCoding: { system: CS, code: 'pneumonia' } },
        ]), 400, 'disagree');
      });
    });

    describe('$validate-code', () => {
      test('CodeSystem: known code, unknown code, wrong display', async () => {
        const ok = await s.fhir(`CodeSystem/$validate-code?url=${CS}&code=pneumonia`);
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(value(ok.body, 'result'), true);
        assert.equal(value(ok.body, 'display'), 'Pneumonia');
        const unknown = await s.fhir(`CodeSystem/$validate-code?url=${CS}&code=flu`);
        assert.equal(value(unknown.body, 'result'), false);
        assert.match(String(value(unknown.body, 'message')), /flu/);
        const wrongDisplay = await s.fhir(`CodeSystem/$validate-code?url=${CS}&code=pneumonia&display=Flu`);
        assert.equal(value(wrongDisplay.body, 'result'), false);
        const designation = await s.fhir(`CodeSystem/$validate-code?url=${CS}&code=malaria&display=Paludisme`);
        assert.equal(value(designation.body, 'result'), true);
        const instance = await s.fhir('CodeSystem/test-conditions/$validate-code?code=malaria');
        assert.equal(value(instance.body, 'result'), true);
        assertOutcome(await s.fhir('CodeSystem/$validate-code?url=https://example.rw/nothing&code=x'), 404, 'https://example.rw/nothing');
      });

      test('ValueSet: code and system, coding, codeableConcept', async () => {
        const ok = await s.fhir(`ValueSet/$validate-code?url=${VS}/infections&system=${CS}&code=severe-malaria`);
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(value(ok.body, 'result'), true);
        const outside = await s.fhir(`ValueSet/$validate-code?url=${VS}/infections&system=${CS}&code=hypertension`);
        assert.equal(value(outside.body, 'result'), false);
        assert.match(String(value(outside.body, 'message')), /not in ValueSet/);
        const abstract = await s.fhir(`ValueSet/$validate-code?url=${VS}/infections&system=${CS}&code=infection`);
        assert.equal(value(abstract.body, 'result'), false);
        assert.match(String(value(abstract.body, 'message')), /abstract/);
        const coding = await post('ValueSet/$validate-code', [{ name: 'url', valueUri: `${VS}/moderate` }, { name: 'coding', valueCoding: { system: CS, code: 'pneumonia' } }]);
        assert.equal(value(coding.body, 'result'), true);
        const cc = await post('ValueSet/$validate-code', [
          { name: 'url', valueUri: `${VS}/moderate` },
          { name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '61462000' }, { system: CS, code: 'malaria' }] } },
        ]);
        assert.equal(value(cc.body, 'result'), true);
        const inline = await post('ValueSet/$validate-code', [
          { name: 'valueSet', resource: valueSet('inline', { include: [{ system: GENDER }] }) }, { name: 'code', valueCode: 'other' }, { name: 'system', valueUri: GENDER },
        ]);
        assert.equal(value(inline.body, 'result'), true);
        const byId = await s.fhir(`ValueSet/in/$validate-code?system=${CS}&code=hypertension`);
        assert.equal(value(byId.body, 'result'), true);
      });

      test('ValueSet: refusals name what is wrong', async () => {
        assertOutcome(await s.fhir(`ValueSet/$validate-code?url=${VS}/infections&code=malaria`), 400, 'system');
        assertOutcome(await s.fhir(`ValueSet/$validate-code?system=${CS}&code=malaria`), 400, 'url');
        assertOutcome(await s.fhir(`ValueSet/$validate-code?url=${VS}/absent&system=${CS}&code=malaria`), 404, `${VS}/absent`);
        assertOutcome(await post('ValueSet/$validate-code', [
          { name: 'url', valueUri: `${VS}/all` }, { name: 'code', valueCode: 'malaria' }, { name: 'system', valueUri: CS },
          { name: 'coding', valueCoding: { system: CS, code: 'pneumonia' } },
        ]), 400, 'disagree');
        assertOutcome(await post('ValueSet/$validate-code', [
          { name: 'url', valueUri: `${VS}/all` }, { name: 'coding', valueCoding: { system: CS, code: 'malaria' } },
          { name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: CS, code: 'malaria' }] } },
        ]), 400, 'codeableConcept');
      });
    });

    describe('$subsumes', () => {
      test('equivalent, subsumes, subsumed-by and not-subsumed', async () => {
        const outcome = async (a: string, b: string) => value((await s.fhir(`CodeSystem/$subsumes?system=${CS}&codeA=${a}&codeB=${b}`)).body, 'outcome');
        assert.equal(await outcome('malaria', 'malaria'), 'equivalent');
        assert.equal(await outcome('infection', 'severe-malaria'), 'subsumes');
        assert.equal(await outcome('severe-malaria', 'infection'), 'subsumed-by');
        assert.equal(await outcome('malaria', 'hypertension'), 'not-subsumed');
        const codings = await post('CodeSystem/$subsumes', [{ name: 'codingA', valueCoding: { system: CS, code: 'chronic' } }, { name: 'codingB', valueCoding: { system: CS, code: 'hypertension' } }]);
        assert.equal(value(codings.body, 'outcome'), 'subsumes');
        const instance = await s.fhir('CodeSystem/test-conditions/$subsumes?codeA=pneumonia&codeB=infection');
        assert.equal(value(instance.body, 'outcome'), 'subsumed-by');
        const v3 = await s.fhir(`CodeSystem/$subsumes?system=${encodeURIComponent('http://terminology.hl7.org/CodeSystem/v3-ActCode')}&codeA=_ActEncounterCode&codeB=AMB`);
        assert.equal(value(v3.body, 'outcome'), 'subsumes');
      });

      test('refusals: unknown code, missing system, codes of two systems', async () => {
        assertOutcome(await s.fhir(`CodeSystem/$subsumes?system=${CS}&codeA=malaria&codeB=nope`), 404, "'nope'");
        assertOutcome(await s.fhir('CodeSystem/$subsumes?codeA=malaria&codeB=pneumonia'), 400, 'system');
        assertOutcome(await s.fhir(`CodeSystem/$subsumes?system=${CS}&codeA=malaria`), 400, 'codeB');
        assertOutcome(await post('CodeSystem/$subsumes', [{ name: 'codingA', valueCoding: { system: CS, code: 'malaria' } }, { name: 'codingB', valueCoding: { system: GENDER, code: 'male' } }]), 400, GENDER);
      });
    });

    describe('$translate', () => {
      const map = {
        resourceType: 'ConceptMap', id: 'icd-map', url: 'https://example.rw/fhir/ConceptMap/conditions-to-icd10', status: 'active',
        group: [{
          source: CS, target: 'http://hl7.org/fhir/sid/icd-10',
          element: [
            { code: 'malaria', target: [{ code: 'B54', display: 'Unspecified malaria', equivalence: 'equivalent' }] },
            { code: 'severe-malaria', target: [{ code: 'B50.0', equivalence: 'wider' }] },
            { code: 'hypertension', target: [{ equivalence: 'unmatched' }] },
          ],
        }],
      };
      before(async () => {
        await put(map);
      });

      test('by map url, by source system, reverse', async () => {
        const byUrl = await s.fhir(`ConceptMap/$translate?url=${map.url}&system=${CS}&code=malaria`);
        assert.equal(byUrl.status, 200, JSON.stringify(byUrl.body));
        assert.equal(value(byUrl.body, 'result'), true);
        const match = param(byUrl.body, 'match');
        assert.deepEqual(match.part.map((p: Json) => p.name), ['equivalence', 'concept', 'source']);
        assert.equal(match.part[1].valueCoding.code, 'B54');
        const bySystem = await s.fhir(`ConceptMap/$translate?system=${CS}&code=severe-malaria&targetsystem=http://hl7.org/fhir/sid/icd-10`);
        assert.equal(value(bySystem.body, 'result'), true);
        assert.equal(param(bySystem.body, 'match').part[0].valueCode, 'wider');
        const reverse = await s.fhir(`ConceptMap/$translate?url=${map.url}&system=http://hl7.org/fhir/sid/icd-10&code=B50.0&reverse=true`);
        assert.equal(value(reverse.body, 'result'), true);
        const back = param(reverse.body, 'match');
        assert.equal(back.part[0].valueCode, 'narrower');
        assert.deepEqual(back.part[1].valueCoding, { system: CS, code: 'severe-malaria' });
        const instance = await s.fhir(`ConceptMap/icd-map/$translate?system=${CS}&code=malaria`);
        assert.equal(value(instance.body, 'result'), true);
        const shipped = await s.fhir('ConceptMap/$translate?system=https://moh.gov.rw/fhir/CodeSystem/facility-level&code=district-hospital');
        assert.equal(param(shipped.body, 'match').part[1].valueCoding.system, 'https://huza.rw/fhir/CodeSystem/facility-type');
      });

      test('no match, unmatched, unknown map and missing system', async () => {
        const unmatched = await s.fhir(`ConceptMap/$translate?url=${map.url}&system=${CS}&code=hypertension`);
        assert.equal(value(unmatched.body, 'result'), false);
        const none = await s.fhir(`ConceptMap/$translate?system=${CS}&code=pneumonia`);
        assert.equal(value(none.body, 'result'), false);
        assert.match(String(value(none.body, 'message')), /pneumonia/);
        assertOutcome(await s.fhir(`ConceptMap/$translate?url=https://example.rw/no-map&system=${CS}&code=malaria`), 404, 'https://example.rw/no-map');
        assertOutcome(await s.fhir('ConceptMap/$translate?code=malaria'), 400, 'system');
      });
    });

    describe('bad ValueSets', () => {
      test('an expansion over the limit needs a filter or count (too-costly)', async () => {
        const big = {
          resourceType: 'CodeSystem', id: 'big', url: 'https://example.rw/fhir/CodeSystem/big', status: 'active', content: 'complete',
          concept: Array.from({ length: 1500 }, (_, i) => ({ code: `c${i}`, display: `Concept number ${i}` })),
        };
        await put(big);
        await put(valueSet('big', { include: [{ system: big.url }] }));
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/big`), 400, `${VS}/big`, 'too-costly');
        const page = await expand(`url=${VS}/big&count=10&offset=1490`);
        assert.equal(page.expansion.total, 1500);
        assert.equal(codes(page).length, 10);
        const filtered = await expand(`url=${VS}/big&filter=1499`);
        assert.deepEqual(codes(filtered), ['c1499']);
      });

      test('invalid regex, unsupported filter, unknown code system, import cycle', async () => {
        await put(valueSet('bad-regex', { include: [{ system: CS, filter: [{ property: 'code', op: 'regex', value: '(unclosed' }] }] }));
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/bad-regex`), 400, '(unclosed', 'invalid');
        await put(valueSet('bad-op', { include: [{ system: CS, filter: [{ property: 'concept', op: 'exists', value: 'true' }] }] }));
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/bad-op`), 400, 'exists', 'not-supported');
        await put(valueSet('unknown-system', { include: [{ system: 'https://example.rw/no-such-system' }] }));
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/unknown-system`), 404, 'https://example.rw/no-such-system');
        await put(valueSet('cycle-a', { include: [{ valueSet: [`${VS}/cycle-b`] }] }));
        await put(valueSet('cycle-b', { include: [{ valueSet: [`${VS}/cycle-a`] }] }));
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/cycle-a`), 400, 'includes itself');
        assertOutcome(await s.fhir('ValueSet/$expand'), 400, 'url');
        assertOutcome(await s.fhir(`ValueSet/$expand?url=${VS}/all&count=-1`), 400, 'count');
        assertOutcome(await s.fhir('ValueSet/no-such-id/$expand'), 404, 'no-such-id');
      });
    });

    test('the CapabilityStatement lists the terminology operations', async () => {
      const res = await s.fhir('metadata');
      const ops = (type: string) => res.body.rest[0].resource.find((r: Json) => r.type === type)?.operation?.map((o: Json) => o.name) ?? [];
      for (const op of ['lookup', 'validate-code', 'subsumes']) assert.ok(ops('CodeSystem').includes(op), ops('CodeSystem').join());
      for (const op of ['expand', 'validate-code']) assert.ok(ops('ValueSet').includes(op), ops('ValueSet').join());
      assert.ok(ops('ConceptMap').includes('translate'));
    });
  });
}
