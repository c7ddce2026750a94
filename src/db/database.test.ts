import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { migrate } from './migrate.ts';

for (const kind of testDatabaseKinds) {
  describe(`database on ${kind.name}`, () => {
    test('migrations create the FHIR store and are applied once', async () => {
      const db = await kind.open();
      try {
        const tables = await db.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
        const names = tables.rows.map((r) => r.table_name);
        for (const t of ['resource', 'resource_history', 'sp_token', 'sp_string', 'schema_migration']) assert.ok(names.includes(t), t);
        assert.deepEqual(await migrate(db), [], 'a second run applies nothing');
      } finally {
        await db.close();
      }
    });

    test('a transaction that throws leaves nothing behind', async () => {
      const db = await kind.open();
      try {
        await assert.rejects(db.transaction(async (tx) => {
          await tx.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('Patient', 'a', 1, now(), '{}')`);
          throw new Error('boom');
        }), /boom/);
        const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource`);
        assert.equal(count.rows[0].n, 0);
        await db.transaction(async (tx) => {
          await tx.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('Patient', 'b', 1, now(), '{}')`);
        });
        const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource`);
        assert.equal(after.rows[0].n, 1);
      } finally {
        await db.close();
      }
    });

    test('a query on the database from inside a transaction completes (the embedded database joins the transaction)', async () => {
      const db = await kind.open();
      try {
        const inner = await db.transaction(async (tx) => {
          await tx.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('Patient', 'c', 1, now(), '{}')`);
          const timeout = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 5000).unref());
          return Promise.race([db.query<{ n: number }>('SELECT 1 AS n').then((r) => r.rows[0].n), timeout]);
        });
        assert.equal(inner, 1);
        // After the transaction, queries from timers it started use the database again.
        const later = await new Promise<number>((resolve, reject) => setTimeout(() => db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource').then((r) => resolve(r.rows[0].n), reject), 10));
        assert.equal(later, 1);
      } finally {
        await db.close();
      }
    });
  });
}
