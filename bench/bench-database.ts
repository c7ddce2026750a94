/**
 * Where benchmark data lives: a dedicated PostgreSQL database (huza_bench) or a PGlite data folder
 * under .bench-data/ (git-ignored), each with a manifest saying what was loaded, so a later run can
 * reuse 1.1 M resources instead of loading them again.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open-database.ts';

export type DbKind = 'postgres' | 'pglite';

export const benchRoot = fileURLToPath(new URL('..', import.meta.url));
export const adminUrl = process.env.HUZA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const benchDatabaseName = process.env.HUZA_BENCH_DATABASE ?? 'huza_bench';

export function benchPostgresUrl(): string {
  const url = new URL(adminUrl);
  url.pathname = `/${benchDatabaseName}`;
  return url.toString();
}

export function pgliteDir(patients: number, others: number): string {
  return `${benchRoot}.bench-data/pglite-${patients}p-${others}o`;
}

export interface DatasetSpec {
  kind: DbKind;
  patients: number;
  others: number;
  seed: number;
  /** PostgreSQL pool size (connections); PGlite has one connection. */
  poolSize: number;
}

export interface Manifest {
  patients: number;
  others: number;
  seed: number;
  loadSeconds: number;
  rate: number;
  loadedAt: string;
  validated: boolean;
  concurrency: number;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Deletes the dataset (PostgreSQL database or PGlite folder) so it can be loaded afresh. */
export async function dropDataset(spec: DatasetSpec): Promise<void> {
  if (spec.kind === 'postgres') {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${benchDatabaseName} WITH (FORCE)`));
  } else {
    await rm(pgliteDir(spec.patients, spec.others), { recursive: true, force: true });
  }
}

/** Opens (creating if needed, and migrating) the benchmark database. */
export async function openBenchDatabase(spec: DatasetSpec): Promise<Database> {
  if (spec.kind === 'postgres') {
    await withAdmin(async (c) => {
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [benchDatabaseName]);
      if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${benchDatabaseName}`);
    });
    return openDatabase({ databaseUrl: benchPostgresUrl(), poolSize: spec.poolSize });
  }
  const dir = pgliteDir(spec.patients, spec.others);
  await mkdir(dir, { recursive: true });
  return openDatabase({ dataDir: dir, poolSize: 1 });
}

export function pgliteDatasetExists(spec: DatasetSpec): boolean {
  return existsSync(`${pgliteDir(spec.patients, spec.others)}/PG_VERSION`);
}

const manifestDdl = `CREATE TABLE IF NOT EXISTS bench_dataset (
  name text PRIMARY KEY, patients integer NOT NULL, others integer NOT NULL, seed integer NOT NULL,
  load_seconds double precision NOT NULL, rate double precision NOT NULL, loaded_at timestamptz NOT NULL,
  validated boolean NOT NULL, concurrency integer NOT NULL)`;

export async function readManifest(db: Database): Promise<Manifest | undefined> {
  await db.query(manifestDdl);
  const r = await db.query<{ patients: number; others: number; seed: number; load_seconds: number; rate: number; loaded_at: Date; validated: boolean; concurrency: number }>(
    `SELECT * FROM bench_dataset WHERE name = 'main'`);
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    patients: row.patients, others: row.others, seed: row.seed, loadSeconds: row.load_seconds, rate: row.rate,
    loadedAt: new Date(row.loaded_at).toISOString(), validated: row.validated, concurrency: row.concurrency,
  };
}

export async function writeManifest(db: Database, m: Manifest): Promise<void> {
  await db.query(manifestDdl);
  await db.query(`DELETE FROM bench_dataset WHERE name = 'main'`);
  await db.query(
    `INSERT INTO bench_dataset (name, patients, others, seed, load_seconds, rate, loaded_at, validated, concurrency)
     VALUES ('main', $1, $2, $3, $4, $5, $6, $7, $8)`,
    [m.patients, m.others, m.seed, m.loadSeconds, m.rate, new Date(m.loadedAt), m.validated, m.concurrency]);
}

/** The types the loader writes; others (AuditEvents of the server, licences…) are not part of the dataset. */
export const datasetTypes = ['Patient', 'Encounter', 'Observation', 'Condition'];

/** Current (not deleted) resources of the dataset's types. */
export async function countResources(db: Database): Promise<{ patients: number; others: number }> {
  const r = await db.query<{ resource_type: string; n: number }>(
    `SELECT resource_type, count(*)::int AS n FROM resource WHERE NOT deleted AND resource_type = ANY($1::text[]) GROUP BY resource_type`, [datasetTypes]);
  let patients = 0;
  let others = 0;
  for (const row of r.rows) {
    if (row.resource_type === 'Patient') patients += row.n;
    else others += row.n;
  }
  return { patients, others };
}

const indexTables = ['sp_string', 'sp_token', 'sp_reference', 'sp_date', 'sp_number', 'sp_quantity', 'sp_uri'];

/**
 * Removes what the benchmark wrote (resources tagged bench-write: created Patients and transaction
 * Bundles' contents) and the AuditEvents the server recorded for the benchmark's requests (with the
 * audit chain over them), for good, history and index rows included, so the dataset stays as loaded.
 */
export async function removeBenchWrites(db: Database): Promise<number> {
  let removed = 0;
  for (const type of [...datasetTypes, 'AuditEvent']) {
    const ids = type === 'AuditEvent'
      ? await db.query<{ resource_id: string }>(`SELECT id AS resource_id FROM resource WHERE resource_type = 'AuditEvent'`)
      : await db.query<{ resource_id: string }>(
        `SELECT DISTINCT resource_id FROM sp_token WHERE resource_type = $1 AND param = '_tag' AND code = 'bench-write'`, [type]);
    const all = ids.rows.map((r) => r.resource_id);
    if (type === 'AuditEvent' && all.length > 0) {
      const chain = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'audit_chain'`);
      if (chain.rows[0].n > 0) await db.query('TRUNCATE audit_chain');
    }
    for (let i = 0; i < all.length; i += 5000) {
      const chunk = all.slice(i, i + 5000);
      await db.transaction(async (tx) => {
        for (const table of indexTables) await tx.query(`DELETE FROM ${table} WHERE resource_type = $1 AND resource_id = ANY($2::text[])`, [type, chunk]);
        await tx.query(`DELETE FROM resource_history WHERE resource_type = $1 AND id = ANY($2::text[])`, [type, chunk]);
        await tx.query(`DELETE FROM resource WHERE resource_type = $1 AND id = ANY($2::text[])`, [type, chunk]);
      });
    }
    removed += all.length;
  }
  return removed;
}

export async function postgresVersion(db: Database): Promise<string> {
  const r = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  return r.rows[0].v;
}
