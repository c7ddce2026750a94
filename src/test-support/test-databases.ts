import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open-database.ts';

/** The PostgreSQL server tests use; CI runs one on 127.0.0.1:5432. Not reachable means a failed test, never a skip. */
export const testPostgresUrl = process.env.HUZA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabaseKind {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; close() also drops it. */
  open(): Promise<Database>;
}

/** An empty PostgreSQL database of its own (for tests that start the server as a process), and how to drop it. */
export async function createFreshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `huza_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: testPostgresUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

async function openFreshPostgres(): Promise<Database> {
  const fresh = await createFreshPostgresDatabase();
  const db = await openDatabase({ databaseUrl: fresh.url, poolSize: 8 });
  return {
    kind: db.kind,
    query: db.query.bind(db),
    transaction: db.transaction.bind(db),
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}

export const testDatabaseKinds: TestDatabaseKind[] = [
  { name: 'pglite', open: () => openDatabase({ poolSize: 1 }) },
  { name: 'postgres', open: openFreshPostgres },
];
