import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { CATALOGUE } from './catalogue-data.ts';
import { gtinSystem } from './gtin.ts';
import { atcSystem, emlClassSystem, essentialMedicinesSystem, gtinOf, medication, productCatalogueBundle } from './product-catalogue.ts';

type Json = any;

const amoxicillin = CATALOGUE.find((c) => c.code === 'EM-AMOX-250-DT')!;

for (const kind of testDatabaseKinds) {
  describe(`product catalogue on ${kind.name}`, () => {
    let s: TestServer;
    const ids = async (path: string) => {
      const res = await s.fhir(path);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.entry ?? []).map((e: Json) => e.resource.id).sort();
    };

    before(async () => {
      s = await startTestServer(kind, { productCatalogue: true });
      const res = await s.fhir('', { method: 'POST', body: productCatalogueBundle() });
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 2000));
    });
    after(() => s.close());

    test('the catalogue loads as valid Medication and MedicationKnowledge resources, and loading it again changes nothing', async () => {
      const count = async (type: string) => (await s.fhir(`${type}?_summary=count`)).body.total;
      assert.equal(await count('Medication'), CATALOGUE.length);
      assert.equal(await count('MedicationKnowledge'), CATALOGUE.length);
      const again = await s.fhir('', { method: 'POST', body: productCatalogueBundle() });
      assert.equal(again.status, 200);
      const amox = await s.fhir('Medication/rw-med-em-amox-250-dt');
      assert.equal(amox.body.meta.versionId, '1');
      assert.equal(amox.body.form.coding[0].code, 'DISINTAB');
      assert.deepEqual(amox.body.ingredient[0].strength.numerator, { value: 250, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' });
      const knowledge = await s.fhir('MedicationKnowledge/rw-medk-em-amox-250-dt');
      assert.deepEqual(knowledge.body.packaging, { type: { text: 'Box' }, quantity: { value: 100, unit: 'tablet', system: 'http://unitsofmeasure.org', code: '{tablet}' } });
    });

    test('found by local code, by GTIN and by name', async () => {
      assert.deepEqual(await ids(`Medication?code=${essentialMedicinesSystem}|EM-AMOX-250-DT`), ['rw-med-em-amox-250-dt']);
      assert.deepEqual(await ids(`Medication?code=${gtinSystem}|${gtinOf(amoxicillin)}`), ['rw-med-em-amox-250-dt']);
      assert.deepEqual(await ids('Medication?code:text=amoxicillin'), ['rw-med-em-amox-250-dt', 'rw-med-em-amox-500-cap']);
      assert.deepEqual(await ids('MedicationKnowledge?code=http://hl7.org/fhir/sid/cvx|19'), ['rw-medk-em-vax-bcg']);
    });

    test('the essential medicines list structure: classes and their sections, ATC codes', async () => {
      const antimalarials = await ids(`MedicationKnowledge?classification=${emlClassSystem}|anti-infectives.antimalarials`);
      assert.deepEqual(antimalarials, ['rw-medk-em-al-20-120-tab', 'rw-medk-em-ars-60-inj']);
      const antiInfectives = await ids(`MedicationKnowledge?classification=${emlClassSystem}|anti-infectives&_count=100`);
      assert.equal(antiInfectives.length, CATALOGUE.filter((c) => c.eml.startsWith('anti-infectives.')).length);
      assert.deepEqual(await ids(`MedicationKnowledge?classification=${atcSystem}|J01CA04`), ['rw-medk-em-amox-250-dt', 'rw-medk-em-amox-500-cap']);
      const cs = await s.fhir(`CodeSystem/$lookup?system=${emlClassSystem}&code=reproductive.uterotonics`);
      assert.equal(cs.status, 200, JSON.stringify(cs.body));
      assert.equal(cs.body.parameter.find((p: Json) => p.name === 'display').valueString, 'Uterotonics');
    });

    test('a GTIN with a wrong check digit, or one already used by another product, is refused', async () => {
      const bad = medication(amoxicillin);
      bad.id = 'typo';
      (bad.code as Json).coding[1].code = gtinOf(amoxicillin).slice(0, -1) + String((Number(gtinOf(amoxicillin).at(-1)) + 1) % 10);
      const typo = await s.fhir('Medication/typo', { method: 'PUT', body: bad });
      assert.equal(typo.status, 400);
      assert.equal(typo.body.issue[0].code, 'code-invalid');
      assert.match(typo.body.issue[0].diagnostics, /check digit should be/);
      assert.deepEqual(typo.body.issue[0].expression, ['Medication.code.coding[1]']);
      const copy = medication(amoxicillin);
      copy.id = 'copy';
      const dup = await s.fhir('Medication/copy', { method: 'PUT', body: copy });
      assert.equal(dup.status, 409);
      assert.match(dup.body.issue[0].diagnostics, /already identifies Medication\/rw-med-em-amox-250-dt/);
      assert.equal((await s.fhir('Medication/copy')).status, 404);
    });
  });
}
