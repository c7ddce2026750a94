import type { Database } from './database.ts';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { migrate } from './migrate.ts';

export interface DatabaseConfig {
  /** postgres://… selects PostgreSQL; absent selects the embedded database. */
  databaseUrl?: string;
  /** Folder of the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string;
  poolSize: number;
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgresDatabase({ url: config.databaseUrl, poolSize: config.poolSize })
    : await openPgliteDatabase(config.dataDir);
  await migrate(db);
  return db;
}
