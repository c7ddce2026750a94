import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { openPgliteDatabase } from '../../db/pglite-database.ts';
import { openPostgresDatabase } from '../../db/postgres-database.ts';
import { createFhirEngine } from '../../fhir/fhir-engine.ts';
import { encodePlaintext, type ContentRef } from '../../fhir/repository/content-codec.ts';
import { createFreshPostgresDatabase, testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, testMasterKeySource, type TestServer } from '../../test-support/test-server.ts';
import { headerFor, openContentEncryption } from './content-cipher.ts';
import { rewrapKeyRing, rotateDataKey } from './rotate-keys.ts';
import { loadMasterKey } from './master-key.ts';

type Json = Record<string, any>;
const nationalIdSystem = 'https://moh.gov.rw/fhir/id/national-id';

const patient = (family: string, given: string, nid: string) => ({
  resourceType: 'Patient',
  name: [{ family, given: [given] }],
  identifier: [{ system: nationalIdSystem, value: nid }],
  birthDate: '1990-07-01',
});

interface ContentRow { resource_type: string; id: string; version_id: number; content: Uint8Array | null }

async function storedRows(db: Database, table: 'resource' | 'resource_history', type?: string): Promise<ContentRow[]> {
  const result = await db.query<ContentRow>(
    `SELECT resource_type, id, version_id, content FROM ${table} WHERE content IS NOT NULL AND ($1::text IS NULL OR resource_type = $1)`, [type ?? null]);
  return result.rows;
}

/** Rows of both content tables not under data key `version` (older keys or plaintext). */
async function rowsNotUnder(db: Database, version: number): Promise<number> {
  const result = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM resource WHERE content IS NOT NULL AND substring(content from 1 for 5) <> $1)
          + (SELECT count(*) FROM resource_history WHERE content IS NOT NULL AND substring(content from 1 for 5) <> $1) AS n`, [headerFor(version)]);
  return Number(result.rows[0].n);
}

for (const kind of testDatabaseKinds) {
  describe(`encryption at rest on ${kind.name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(() => s.close());

    const create = async (body: Json) => {
      const res = await s.fhir(body.resourceType, { method: 'POST', body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as Json;
    };

    test('patient names and national IDs are not in the stored content, which is ciphertext; the API returns the original', async () => {
      const family = 'Mukamanzi';
      const given = 'Espérance';
      const nid = '1199070012345678';
      const created = await create(patient(family, given, nid));
      const updated = await s.fhir(`Patient/${created.id}`, { method: 'PUT', body: { ...created, telecom: [{ system: 'phone', value: '+250788123456' }] } });
      assert.equal(updated.status, 200);

      const version = s.cipher.currentVersion;
      const rows = [...await storedRows(s.db, 'resource', 'Patient'), ...await storedRows(s.db, 'resource_history', 'Patient')]
        .filter((r) => r.id === created.id);
      assert.equal(rows.length, 3, 'the current row and two history rows');
      for (const row of rows) {
        const bytes = Buffer.from(row.content as Uint8Array);
        for (const secret of [family, given, nid, '+250788123456', created.id, nationalIdSystem, '"resourceType"']) {
          assert.equal(bytes.indexOf(Buffer.from(secret, 'utf8')), -1, `'${secret}' is not in the stored bytes of ${row.resource_type}/${row.id} v${row.version_id}`);
        }
        assert.equal(bytes.indexOf(Buffer.from(family.toLowerCase(), 'utf8')), -1);
        // The record: format 0x01, the key version, IV, ciphertext, tag; no byte of JSON.
        assert.equal(bytes[0], 0x01);
        assert.equal(bytes.readUInt32BE(1), version);
        assert.ok(bytes.length >= 5 + 12 + 16 + 100);
        assert.throws(() => JSON.parse(bytes.subarray(5).toString('utf8')));
      }
      // One write encrypts once: the current row and its history row hold the same record (same
      // associated data). The same JSON encrypted again is another ciphertext (a fresh IV each time).
      const v2 = rows.filter((r) => r.version_id === 2).map((r) => Buffer.from(r.content as Uint8Array));
      assert.equal(v2.length, 2);
      assert.deepEqual(v2[0], v2[1]);
      const ref = { resourceType: 'Patient', id: created.id, versionId: 2 };
      const again = s.cipher.encode(await s.cipher.decode(v2[0], ref), ref);
      assert.notDeepEqual(again, v2[0]);
      assert.equal(await s.cipher.decode(again, ref), await s.cipher.decode(v2[0], ref));

      // What stays plaintext by design, for indexed search (README "Encryption at rest").
      const index = await s.db.query<{ code: string }>(`SELECT code FROM sp_token WHERE resource_type = 'Patient' AND resource_id = $1 AND param = 'identifier'`, [created.id]);
      assert.deepEqual(index.rows.map((r) => r.code), [nid]);

      const read = await s.fhir(`Patient/${created.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.name, [{ family, given: [given] }]);
      assert.deepEqual(read.body.identifier, [{ system: nationalIdSystem, value: nid }]);
      const v1 = await s.fhir(`Patient/${created.id}/_history/1`);
      assert.equal(v1.body.telecom, undefined);
      assert.equal(v1.body.name[0].family, family);
      const found = await s.fhir(`Patient?identifier=${encodeURIComponent(`${nationalIdSystem}|${nid}`)}`);
      assert.equal(found.body.entry[0].resource.name[0].given[0], given);
      const history2 = await s.fhir(`Patient/${created.id}/_history`);
      assert.equal(history2.body.entry.length, 2);
      assert.equal(history2.body.entry[0].resource.telecom[0].value, '+250788123456');
    });

    test('tampered or moved ciphertext is a 500 OperationOutcome that quotes no content, never garbage', async () => {
      const a = await create(patient('Nyirahabimana', 'Claudine', '1198570098765432'));
      const b = await create(patient('Bizimana', 'Jean', '1198080011112222'));
      const original = (await s.db.query<{ content: Uint8Array }>(`SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1`, [a.id])).rows[0].content;

      // One bit flipped in the ciphertext.
      await s.db.query(`UPDATE resource SET content = set_byte(content, 40, get_byte(content, 40) # 1) WHERE resource_type = 'Patient' AND id = $1`, [a.id]);
      const read = await s.fhir(`Patient/${a.id}`);
      assert.equal(read.status, 500);
      assert.equal(read.body.resourceType, 'OperationOutcome');
      assert.match(read.body.issue[0].diagnostics, new RegExp(`Patient/${a.id} version 1 cannot be read: it failed its integrity check`));
      assert.doesNotMatch(JSON.stringify(read.body), /Nyirahabimana|Claudine|1198570098765432/);
      const searched = await s.fhir(`Patient?family=Nyirahabimana`);
      assert.equal(searched.status, 500, 'a search that reaches it fails the same way');
      assert.doesNotMatch(JSON.stringify(searched.body), /Claudine|1198570098765432/);
      assert.equal((await s.fhir(`Patient/${a.id}/_history/1`)).status, 200, 'the history row is its own record, still intact');

      // A valid record of another resource copied over this one: bound to Patient/b v1, refused for a.
      await s.db.query(`UPDATE resource SET content = (SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $2) WHERE resource_type = 'Patient' AND id = $1`, [a.id, b.id]);
      const moved = await s.fhir(`Patient/${a.id}`);
      assert.equal(moved.status, 500);
      assert.doesNotMatch(JSON.stringify(moved.body), /Bizimana|Jean/);

      // A record relabelled with another key version fails too (the header is authenticated).
      const relabelled = Buffer.from(original);
      relabelled.writeUInt32BE(relabelled.readUInt32BE(1) + 1000, 1);
      await s.db.query(`UPDATE resource SET content = $2 WHERE resource_type = 'Patient' AND id = $1`, [a.id, relabelled]);
      assert.equal((await s.fhir(`Patient/${a.id}`)).status, 500);
      // Inside a transaction too (the embedded database's key ring query would wait for it): a prompt 500.
      const started = Date.now();
      const inTransaction = await s.fhir('', { method: 'POST', body: {
        resourceType: 'Bundle', type: 'transaction',
        entry: [{ resource: { ...a, gender: 'female' }, request: { method: 'PUT', url: `Patient/${a.id}` } }],
      } });
      assert.equal(inTransaction.status, 500, JSON.stringify(inTransaction.body));
      assert.doesNotMatch(JSON.stringify(inTransaction.body), /Nyirahabimana|Claudine|1198570098765432/);
      assert.ok(Date.now() - started < 10_000);

      await s.db.query(`UPDATE resource SET content = $2 WHERE resource_type = 'Patient' AND id = $1`, [a.id, Buffer.from(original)]);
      assert.equal((await s.fhir(`Patient/${a.id}`)).body.name[0].family, 'Nyirahabimana', 'the original record reads again');
    });

    test('rows stored in plaintext before encryption still read, and rotation encrypts them', async () => {
      const ref: ContentRef = { resourceType: 'Patient', id: 'legacy-1', versionId: 1 };
      const json = JSON.stringify({ resourceType: 'Patient', id: 'legacy-1', meta: { versionId: '1', lastUpdated: '2024-01-01T00:00:00.000Z' }, name: [{ family: 'Uwimana' }] });
      for (const table of ['resource', 'resource_history']) {
        await s.db.query(`INSERT INTO ${table} (resource_type, id, version_id, last_updated, deleted, ${table === 'resource' ? '' : 'method, '}content)
          VALUES ('Patient', 'legacy-1', 1, '2024-01-01T00:00:00Z', false, ${table === 'resource' ? '' : `'POST', `}$1)`, [encodePlaintext(json)]);
      }
      assert.equal((await s.fhir('Patient/legacy-1')).body.name[0].family, 'Uwimana');
      const report = await rotateDataKey(s.db, s.cipher, { newKey: false });
      assert.equal(report.remaining, 0);
      assert.ok(report.reencrypted.resource >= 1 && report.reencrypted.resource_history >= 1);
      for (const table of ['resource', 'resource_history'] as const) {
        const row = (await storedRows(s.db, table, 'Patient')).find((r) => r.id === ref.id) as ContentRow;
        assert.equal(Buffer.from(row.content as Uint8Array)[0], 0x01);
        assert.equal(Buffer.from(row.content as Uint8Array).indexOf('Uwimana'), -1);
      }
      assert.equal((await s.fhir('Patient/legacy-1')).body.name[0].family, 'Uwimana');
    });

    test('rotation moves every row to the new key while writes go on; nothing written meanwhile is lost', async () => {
      const seeded: Json[] = [];
      for (let i = 0; i < 12; i++) seeded.push(await create(patient(`Rotation${i}`, 'Seed', `11990${String(i).padStart(11, '0')}`)));
      for (const p of seeded.slice(0, 6)) {
        assert.equal((await s.fhir(`Patient/${p.id}`, { method: 'PUT', body: { ...p, gender: 'female' } })).status, 200);
      }
      // Another app node on the same database: it learns of the new key only when it next looks
      // (every refreshMs), and writes under the old one until then.
      const other = await openContentEncryption(s.db, testMasterKeySource, { refreshMs: 100 });
      const versionsUsedByOther = new Set<number>();
      const otherEngine = createFhirEngine(s.db, {
        validate: true, maxSnapshotSize: 100,
        contentCodec: {
          encode: (json, ref) => {
            const stored = other.cipher.encode(json, ref);
            versionsUsedByOther.add(stored.readUInt32BE(1));
            return stored;
          },
          decode: (stored, ref) => other.cipher.decode(stored, ref),
        },
      });
      const before = s.cipher.currentVersion;

      // Writes in flight all through the rotation: creates and updates.
      let writing = true;
      const written: { id: string; family: string }[] = [];
      const writer = (async () => {
        for (let i = 0; writing || i < 4; i++) {
          const created = await create(patient(`During${i}`, 'Concurrent', `12000${String(i).padStart(11, '0')}`));
          written.push({ id: created.id, family: `During${i}` });
          const elsewhere = await otherEngine.repo.create(patient(`Elsewhere${i}`, 'Concurrent', `13000${String(i).padStart(11, '0')}`));
          written.push({ id: elsewhere.id, family: `Elsewhere${i}` });
          const target = seeded[6 + (i % 6)];
          const current = (await s.fhir(`Patient/${target.id}`)).body;
          const res = await s.fhir(`Patient/${target.id}`, { method: 'PUT', body: { ...current, name: [{ family: `Renamed${i}`, given: ['Seed'] }] } });
          assert.equal(res.status, 200);
          target.latest = `Renamed${i}`;
        }
      })();
      // The rotation starts once writes are flowing, and its settle time (other nodes learning of the
      // new key) is long enough for several to land even on a loaded machine.
      while (written.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const writtenBefore = written.length;
      const progress: number[] = [];
      const report = await rotateDataKey(s.db, s.cipher, { batchSize: 3, settleMs: 2_500, pollMs: 50, onProgress: (p) => progress.push(p.done) });
      const writtenDuring = written.length - writtenBefore;
      writing = false;
      await writer;

      assert.equal(report.version, before + 1);
      assert.equal(s.cipher.currentVersion, before + 1);
      assert.ok(report.reencrypted.resource >= 12 && report.reencrypted.resource_history >= 18, JSON.stringify(report));
      assert.ok(progress.length > 4, 'progress is reported batch by batch');
      assert.ok(writtenDuring >= 4, `${writtenDuring} writes landed while the rotation ran`);
      assert.deepEqual([...versionsUsedByOther].sort((a, b) => a - b), [before, before + 1], 'the other node wrote under the old key, then under the new one');
      // Writes that landed after the rotation's last sweep were encrypted under the new key already.
      assert.equal(await rowsNotUnder(s.db, report.version), 0, 'no row refers to an older data key');
      assert.deepEqual(report.retired, Array.from({ length: before }, (_, i) => i + 1));
      const retired = await s.db.query<{ version: number }>(`SELECT version FROM key_ring WHERE purpose = 'data' AND retired IS NOT NULL ORDER BY version`);
      assert.deepEqual(retired.rows.map((r) => r.version), report.retired, 'older versions are marked retired, and kept');

      for (const w of written) assert.equal((await s.fhir(`Patient/${w.id}`)).body.name[0].family, w.family);
      for (const p of seeded) {
        const read = await s.fhir(`Patient/${p.id}`);
        assert.equal(read.status, 200);
        assert.equal(read.body.name[0].family, p.latest ?? p.name[0].family);
      }
      assert.equal((await s.fhir(`Patient/${seeded[0].id}/_history/1`)).body.gender, undefined);

      // The other node reads rows under the key it had not seen (it loads it on first sight) and, once
      // it has, writes under it too.
      const row = (await storedRows(s.db, 'resource', 'Patient')).find((r) => r.id === seeded[0].id) as ContentRow;
      const json = await other.cipher.decode(row.content as Uint8Array, { resourceType: 'Patient', id: row.id, versionId: row.version_id });
      assert.equal(JSON.parse(json).gender, 'female');
      assert.equal(other.cipher.currentVersion, report.version);
    });

    test('a master key rotation re-wraps every key; the old master key then refuses to open the database with a clear error', async () => {
      const newMaster = loadMasterKey({ base64: Buffer.alloc(32, 9).toString('base64'), file: '', allowCreate: false });
      const wrongMaster = { base64: Buffer.alloc(32, 1).toString('base64'), file: '', allowCreate: false };
      await assert.rejects(openContentEncryption(s.db, wrongMaster), /master key does not match this database/);

      const { keyRing } = await openContentEncryption(s.db, testMasterKeySource);
      const result = await rewrapKeyRing(s.db, keyRing, newMaster);
      assert.ok(result.keys >= 4, 'data, signing and cookie keys');
      const masters = await s.db.query<{ master_key_id: string }>('SELECT DISTINCT master_key_id FROM key_ring');
      assert.deepEqual(masters.rows.map((r) => r.master_key_id), [newMaster.id]);
      await assert.rejects(openContentEncryption(s.db, testMasterKeySource), (error: Error) => {
        assert.match(error.message, /master key does not match this database/);
        assert.match(error.message, /HUZA_MASTER_KEY/);
        return true;
      });
      const reopened = await openContentEncryption(s.db, { base64: newMaster.key.toString('base64'), file: '', allowCreate: false });
      const row = (await storedRows(s.db, 'resource', 'Patient'))[0];
      assert.ok(JSON.parse(await reopened.cipher.decode(row.content as Uint8Array, { resourceType: row.resource_type, id: row.id, versionId: row.version_id })).resourceType);
      // The running server keeps the keys it holds.
      assert.equal((await s.fhir(`Patient/${row.id}`)).status, 200);
      // Put the test master back for whatever runs next on this database.
      await rewrapKeyRing(s.db, reopened.keyRing, loadMasterKey(testMasterKeySource));
    });
  });

  describe(`migration 0004 on ${kind.name}`, () => {
    test('plaintext text content becomes format-0x00 bytes, and reads back through the platform', async () => {
      const migrations = fileURLToPath(new URL('../../db/migrations/', import.meta.url));
      let db: Database;
      let drop = async () => {};
      if (kind.name === 'postgres') {
        const fresh = await createFreshPostgresDatabase();
        db = await openPostgresDatabase({ url: fresh.url, poolSize: 2 });
        drop = fresh.drop;
      } else {
        db = await openPgliteDatabase(undefined);
      }
      try {
        // A database as the previous release left it: 0001 and 0003 applied, content as text.
        await db.query('CREATE TABLE schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        for (const file of ['0001-fhir-store.sql', '0003-security.sql']) {
          for (const statement of (await readFile(migrations + file, 'utf8')).split(/;\s*$/m).map((x) => x.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean)) {
            await db.query(statement);
          }
          await db.query('INSERT INTO schema_migration (name) VALUES ($1)', [file]);
        }
        const json = '{"resourceType":"Patient","id":"old","meta":{"versionId":"1","lastUpdated":"2024-01-01T00:00:00.000Z"},"name":[{"family":"Ingabire é"}]}';
        await db.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('Patient', 'old', 1, now(), $1)`, [json]);
        await db.query(`INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content) VALUES ('Patient', 'old', 1, now(), false, 'POST', $1)`, [json]);
        await db.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content) VALUES ('Patient', 'gone', 2, now(), true, NULL)`);
        assert.ok((await migrate(db)).includes('0004-encrypted-content.sql'));
        const rows = await db.query<{ content: Uint8Array | null; id: string }>(`SELECT id, content FROM resource ORDER BY id`);
        assert.equal(rows.rows[0].content, null);
        assert.deepEqual(Buffer.from(rows.rows[1].content as Uint8Array), Buffer.concat([Buffer.from([0]), Buffer.from(json, 'utf8')]));
        const { cipher } = await openContentEncryption(db, testMasterKeySource);
        assert.equal(await cipher.decode(rows.rows[1].content as Uint8Array, { resourceType: 'Patient', id: 'old', versionId: 1 }), json);
      } finally {
        await db.close();
        await drop();
      }
    });
  });
}
