import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../db/database.ts';
import { createFhirEngine, type FhirEngine } from '../../fhir/fhir-engine.ts';
import { openContentEncryption } from '../../security/encryption/content-cipher.ts';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { testMasterKeySource } from '../../test-support/test-server.ts';
import { UnparsableRow } from './bulk-load.ts';
import { installClientRegistry } from './install-client-registry.ts';
import type { ClientRegistry } from './client-registry.ts';
import { syntheticPatients } from './synthetic-patients.ts';

const NID = 'https://moh.gov.rw/fhir/id/national-id';
const GOLDEN = { system: 'https://huza.rw/fhir/CodeSystem/client-registry', code: 'golden' };

interface Opened { db: Database; engine: FhirEngine; registry: ClientRegistry }

async function open(kind: (typeof testDatabaseKinds)[number]): Promise<Opened> {
  const db = await kind.open();
  const { cipher } = await openContentEncryption(db, testMasterKeySource);
  const engine = createFhirEngine(db, { validate: true, maxSnapshotSize: 1000, contentCodec: cipher });
  return { db, engine, registry: installClientRegistry(engine) };
}

/** Which records share a person, as sets of source ids (golden ids are random, the grouping is the decision). */
async function partition(db: Database): Promise<{ groups: string[]; methods: Map<string, string>; reviews: string[] }> {
  const links = (await db.query<{ source_id: string; golden_id: string; method: string }>('SELECT source_id, golden_id, method FROM cr_link')).rows;
  const byGolden = new Map<string, string[]>();
  for (const l of links) byGolden.set(l.golden_id, [...(byGolden.get(l.golden_id) ?? []), l.source_id]);
  const groups = [...byGolden.values()].map((g) => g.sort().join(',')).sort();
  const reviews = (await db.query<{ source_id: string; candidate_id: string }>("SELECT source_id, candidate_id FROM cr_review WHERE status = 'open'")).rows.map((r) => `${r.source_id}>${r.candidate_id}`).sort();
  return { groups, methods: new Map(links.map((l) => [l.source_id, l.method])), reviews };
}

const count = async (db: Database, sql: string) => (await db.query<{ n: number }>(sql)).rows[0].n;

for (const kind of testDatabaseKinds) {
  describe(`client registry bulk load on ${kind.name}`, () => {
    const { patients } = syntheticPatients(300, { seed: 11 });
    let perRecord: Opened;
    let bulk: Opened;
    let perRecordRefused: Set<string>;

    before(async () => {
      perRecord = await open(kind);
      bulk = await open(kind);
      perRecordRefused = new Set();
      for (const p of patients) {
        try {
          await perRecord.engine.repo.create(p, { id: p.id });
        } catch {
          perRecordRefused.add(p.id as string);
        }
      }
    });
    after(async () => {
      await perRecord.db.close();
      await bulk.db.close();
    });

    test('refreshes the planner statistics of the tables it grows as the registry grows', async () => {
      const fresh = await open(kind);
      try {
        const reltuples = async () => (await fresh.db.query<{ n: number }>(`SELECT reltuples::int AS n FROM pg_class WHERE relname = 'cr_block'`)).rows[0].n;
        assert.equal(await reltuples(), -1, 'never analyzed before the load');
        const report = await fresh.registry.loadBulk(fresh.engine.repo, patients.slice(0, 120), { batchSize: 37, analyzeAfter: 40 });
        // Analyzed once 74 records were created (2 batches), then at each doubling: the keys of at least 74 sources.
        assert.ok(await reltuples() >= 74 * 3, `cr_block reltuples ${await reltuples()} after ${report.created} records`);
      } finally {
        await fresh.db.close();
      }
    });

    test('links as the per-record write path does, refusing the same records', async () => {
      // Small batches with several in flight: decisions rest on records of batches not yet committed.
      const report = await bulk.registry.loadBulk(bulk.engine.repo, patients, { batchSize: 37, inFlight: 3 });
      assert.equal(report.rows, patients.length);
      assert.deepEqual(new Set(report.refused.map((r) => r.id)), perRecordRefused);
      assert.ok(perRecordRefused.size > 0, 'the synthetic set has national IDs with typos, which the registry refuses');
      assert.equal(report.created, patients.length - perRecordRefused.size);
      const a = await partition(perRecord.db);
      const b = await partition(bulk.db);
      assert.deepEqual(b.groups, a.groups);
      assert.deepEqual(b.methods, a.methods);
      assert.deepEqual(b.reviews, a.reviews);
      assert.ok(a.groups.some((g) => g.includes(',')), 'some records are linked to others');
      // One golden record per person, each linking back to all its sources, found by search like any Patient.
      const goldens = await count(bulk.db, `SELECT count(DISTINCT resource_id)::int AS n FROM sp_token WHERE resource_type = 'Patient' AND param = '_tag' AND code = 'golden'`);
      assert.equal(goldens, b.groups.length);
      assert.equal(report.goldensCreated, b.groups.length);
      const sample = b.groups.find((g) => g.split(',').length >= 2)!.split(',');
      const golden = await bulk.db.query<{ resource_id: string }>(
        `SELECT resource_id FROM sp_reference WHERE resource_type = 'Patient' AND param = 'link' AND target_id = $1`, [sample[0]]);
      assert.equal(golden.rows.length, 1);
      const stored = JSON.parse((await bulk.engine.repo.read('Patient', golden.rows[0].resource_id)).json as string);
      assert.deepEqual(stored.meta.tag.map((t: { system: string; code: string }) => ({ system: t.system, code: t.code })), [GOLDEN]);
      assert.deepEqual(stored.link.map((l: { other: { reference: string } }) => l.other.reference).sort(), sample.map((s) => `Patient/${s}`).sort());
      // The golden record's history has one version per batch that touched it, all readable.
      assert.ok(Number(stored.meta.versionId) >= 1);
    });

    test('prepared in worker threads or on the main thread, the same decisions and the same search index', async () => {
      // Golden records included: their many updates rewrite only the index rows that changed.
      const indexRows = async (db: Database, of: 'source_id' | 'golden_id') => (await db.query<{ t: string; n: number }>(
        `SELECT t, n FROM (${['sp_string', 'sp_token', 'sp_reference', 'sp_date'].map((t) =>
          `SELECT '${t}' AS t, count(*)::int AS n FROM ${t} WHERE resource_type = 'Patient' AND resource_id IN (SELECT ${of} FROM cr_link)`).join(' UNION ALL ')}) x ORDER BY t`)).rows;
      const inThread = await open(kind);
      try {
        // As the first test loaded `bulk` (worker threads): same batches, so the same golden versions.
        const report = await inThread.registry.loadBulk(inThread.engine.repo, patients, { batchSize: 37, inFlight: 3, workers: 0 });
        assert.equal(report.created, patients.length - perRecordRefused.size);
        const a = await partition(perRecord.db);
        const c = await partition(inThread.db);
        assert.deepEqual(c.groups, a.groups);
        assert.deepEqual(c.methods, a.methods);
        const sources = await indexRows(perRecord.db, 'source_id');
        assert.ok(sources.filter((r) => r.t === 'sp_string' || r.t === 'sp_token').every((r) => r.n > 0));
        assert.deepEqual(await indexRows(inThread.db, 'source_id'), sources);
        assert.deepEqual(await indexRows(bulk.db, 'source_id'), sources);
        assert.deepEqual(await indexRows(inThread.db, 'golden_id'), await indexRows(bulk.db, 'golden_id'));
        // A golden record's index is the one its stored content gives, however many batches updated it.
        const goldens = (await bulk.db.query<{ id: string }>(`SELECT DISTINCT golden_id AS id FROM cr_link`)).rows.map((r) => r.id);
        for (const v of await bulk.engine.repo.readMany(goldens.map((id) => ({ type: 'Patient', id })))) {
          const rows = bulk.engine.repo.indexRows(JSON.parse(v.json as string));
          const stored = await bulk.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sp_string WHERE resource_type = 'Patient' AND resource_id = $1`, [v.id]);
          assert.equal(stored.rows[0].n, rows.string.length, `string index rows of ${v.id} (version ${v.versionId})`);
        }
      } finally {
        await inThread.db.close();
      }
    });

    test('golden records kept in memory between batches come out as those read back from the database', async () => {
      // Each person's golden record, by its sources, without what is random (ids, registry ID, times).
      const goldens = async (o: Opened) => {
        const ids = (await o.db.query<{ id: string }>('SELECT DISTINCT golden_id AS id FROM cr_link')).rows.map((r) => r.id);
        const out = new Map<string, unknown>();
        for (const v of await o.engine.repo.readMany(ids.map((id) => ({ type: 'Patient', id })))) {
          const { id: _id, meta, identifier, link, ...rest } = JSON.parse(v.json as string);
          const sources = link.map((l: { other: { reference: string } }) => l.other.reference).sort().join(',');
          out.set(sources, { ...rest, versionId: meta.versionId, identifier: identifier.filter((i: { system: string }) => !i.system.includes('registry')) });
        }
        return out;
      };
      const uncached = await open(kind);
      try {
        await uncached.registry.loadBulk(uncached.engine.repo, patients, { batchSize: 37, inFlight: 3, goldenCacheSize: 0 });
        const expected = await goldens(uncached);
        assert.ok([...expected.values()].some((g) => Number((g as { versionId: string }).versionId) > 1), 'some golden records were updated by later batches');
        assert.deepEqual(await goldens(bulk), expected);
      } finally {
        await uncached.db.close();
      }
    });

    test('refused rows are reported with their row numbers and reasons; nothing of them is stored', async () => {
      const bad = [
        { resourceType: 'Patient', id: 'bad-1', identifier: [{ system: NID, value: '1199080012345678' }], name: [{ family: 'Mukamana', given: ['Alice'] }] },
        { resourceType: 'Patient', id: 'bad-2', identifier: [{ system: 'https://example.org/unknown', value: 'X1' }], name: [{ family: 'Habimana', given: ['Eric'] }] },
        new UnparsableRow('Unexpected token'),
        { resourceType: 'Observation', id: 'bad-4' },
        { resourceType: 'Patient', id: 'ok-5', name: [{ family: 'Niyonsaba', given: ['Grace'] }], birthDate: '1994', gender: 'female' },
        { resourceType: 'Patient', id: 'bad-6', name: [{ family: 'Uwase' }], birthDate: '2999-01-01' },
      ];
      const report = await bulk.registry.loadBulk(bulk.engine.repo, bad, { batchSize: 4 });
      assert.deepEqual(report.refused.map((r) => [r.row, r.status]), [[1, 400], [2, 400], [3, 400], [4, 400], [6, 400]]);
      assert.match(report.refused[0].message, /not valid for https:\/\/moh\.gov\.rw\/fhir\/id\/national-id/);
      assert.deepEqual(report.refused[0].expression, ['Patient.identifier[0].value']);
      assert.match(report.refused[1].message, /not registered/);
      assert.equal(report.created, 1);
      assert.equal(await count(bulk.db, `SELECT count(*)::int AS n FROM resource WHERE id IN ('bad-1', 'bad-2', 'bad-4', 'bad-6')`), 0);
      assert.equal(await count(bulk.db, `SELECT count(*)::int AS n FROM cr_link WHERE source_id = 'ok-5'`), 1);
    });

    test('an identifier claimed by two different people is refused with the holder named', async () => {
      const holder = patients.find((p) => ((p as { identifier?: { system: string }[] }).identifier ?? []).some((i) => i.system === NID) && !perRecordRefused.has(p.id as string))!;
      const nid = (holder as unknown as { identifier: { system: string; value: string }[] }).identifier.find((i) => i.system === NID)!;
      const impostor = { resourceType: 'Patient', id: 'impostor', identifier: [nid], name: [{ family: 'Zzyzx', given: ['Quentin'] }], birthDate: '1931-02-03', gender: 'male' };
      const report = await bulk.registry.loadBulk(bulk.engine.repo, [impostor]);
      assert.equal(report.refused.length, 1);
      assert.equal(report.refused[0].status, 409);
      assert.match(report.refused[0].message, /already belongs to another person/);
    });

    test('a re-run loads nothing twice', async () => {
      const before = await partition(bulk.db);
      const resources = await count(bulk.db, 'SELECT count(*)::int AS n FROM resource');
      const report = await bulk.registry.loadBulk(bulk.engine.repo, patients, { batchSize: 50 });
      assert.equal(report.created, 0);
      assert.equal(report.updated, 0);
      assert.equal(report.unchanged, patients.length - perRecordRefused.size);
      assert.equal(report.refused.length, perRecordRefused.size);
      assert.equal(await count(bulk.db, 'SELECT count(*)::int AS n FROM resource'), resources);
      assert.deepEqual(await partition(bulk.db), before);
    });

    test('a changed record takes the per-record path and stays with its person', async () => {
      const p = patients.find((x) => !perRecordRefused.has(x.id as string))!;
      const changed = { ...p, telecom: [{ system: 'phone', value: '+250788000111' }] };
      const before = (await bulk.db.query<{ golden_id: string }>('SELECT golden_id FROM cr_link WHERE source_id = $1', [p.id as string])).rows[0].golden_id;
      const report = await bulk.registry.loadBulk(bulk.engine.repo, [changed]);
      assert.equal(report.updated, 1);
      const after = (await bulk.db.query<{ golden_id: string }>('SELECT golden_id FROM cr_link WHERE source_id = $1', [p.id as string])).rows[0].golden_id;
      assert.equal(after, before);
    });
  });
}
