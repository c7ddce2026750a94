import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/load-config.ts';
import { createFhirEngine } from '../fhir/fhir-engine.ts';
import { countResources, generateDemoData } from '../seed/generate-demo-data.ts';
import { openContentEncryption } from '../security/encryption/content-cipher.ts';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { testMasterKeySource } from '../test-support/test-server.ts';
import type { Database } from '../db/database.ts';
import { isEmpty, loadDemoData } from './load-demo-data.ts';
import type { Platform } from './open-platform.ts';
import { handleFhirRequest } from '../fhir/rest/handle-fhir-request.ts';
import { installClientRegistry } from '../registry/client/install-client-registry.ts';

const nationalIdSystem = 'https://moh.gov.rw/fhir/id/national-id';

const options = { patients: 30, seed: 7 };

for (const kind of testDatabaseKinds) {
  describe(`demo data on ${kind.name}`, () => {
    let db: Database;
    let platform: Platform;
    before(async () => {
      db = await kind.open();
      const config = loadConfig({});
      const { keyRing, cipher } = await openContentEncryption(db, testMasterKeySource);
      const engine = createFhirEngine(db, { validate: true, maxSnapshotSize: 10_000, contentCodec: cipher });
      platform = { config, db, engine, keyRing, cipher, clientRegistry: installClientRegistry(engine) };
    });
    after(() => db.close());

    test('loads through validated transactions and every generated resource is stored and searchable', async () => {
      assert.equal(await isEmpty(platform), true);
      const expected = countResources(generateDemoData(options));
      const report = await loadDemoData(platform, options, false);
      assert.equal(report.resources, Object.values(expected).reduce((a, b) => a + b, 0));
      const stored = await db.query<{ resource_type: string; n: number }>(
        'SELECT resource_type, count(*)::int AS n FROM resource WHERE NOT deleted GROUP BY resource_type');
      // The client registry keeps one golden Patient per person beside each facility's record: the
      // generated people are all different people, so none of them may have been merged.
      const goldens = await db.query<{ n: number }>('SELECT count(DISTINCT golden_id)::int AS n FROM cr_link');
      assert.equal(goldens.rows[0].n, expected.Patient, 'one person per generated patient');
      assert.deepEqual(Object.fromEntries(stored.rows.map((r) => [r.resource_type, r.n])), { ...expected, Patient: expected.Patient * 2 });
      assert.equal(await isEmpty(platform), false);

      // Cross-bundle references were resolved to the stored facilities and districts.
      const dangling = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sp_reference s WHERE s.target_id IS NOT NULL AND s.url IS NULL
         AND NOT EXISTS (SELECT 1 FROM resource r WHERE r.resource_type = s.target_type AND r.id = s.target_id)`);
      assert.equal(dangling.rows[0].n, 0, 'every relative reference points at a stored resource');
      const musanze = await platform.engine.repo.read('Location', 'rw-district-musanze');
      assert.match(musanze.json as string, /Musanze/);

      // A generated patient is found by national ID, with the facility it is managed by.
      const patient = generateDemoData(options).flatMap((b) => b.entry ?? []).map((e) => e.resource as Record<string, any>)
        .find((r) => r.resourceType === 'Patient' && r.identifier?.some((i: { system: string }) => i.system === nationalIdSystem));
      const nid = patient?.identifier.find((i: { system: string }) => i.system === nationalIdSystem).value as string;
      const ctx = { repo: platform.engine.repo, operations: platform.engine.operations, search: platform.engine.search, baseUrl: 'http://huza.test/fhir' };
      const response = await handleFhirRequest(ctx, {
        method: 'GET', path: 'Patient', headers: {},
        query: [['identifier', `${nationalIdSystem}|${nid}`], ['_tag:not', 'https://huza.rw/fhir/CodeSystem/client-registry|golden'], ['_include', 'Patient:organization']],
      });
      const bundle = JSON.parse(response.body as string) as { total: number; entry: { resource: { resourceType: string; name?: unknown } }[] };
      assert.equal(bundle.total, 1);
      assert.deepEqual(bundle.entry[0].resource.name, patient?.name);
      assert.equal(bundle.entry[1]?.resource.resourceType, 'Organization');

      // …and the same national ID finds the person's golden record, which links back to that record.
      const person = JSON.parse((await handleFhirRequest(ctx, {
        method: 'GET', path: 'Patient', headers: {}, query: [['identifier', `${nationalIdSystem}|${nid}`], ['_tag', 'https://huza.rw/fhir/CodeSystem/client-registry|golden']],
      })).body as string) as { total: number; entry: { resource: { link: { other: { reference: string } }[]; name: unknown } }[] };
      assert.equal(person.total, 1);
      assert.deepEqual(person.entry[0].resource.name, patient?.name);
      assert.equal(person.entry[0].resource.link.length, 1);
    });
  });
}
