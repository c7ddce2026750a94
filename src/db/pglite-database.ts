import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult, SqlValue } from './database.ts';

/**
 * Embedded PostgreSQL (WASM). One process owns the data folder; PGlite serialises queries and
 * holds its lock for the length of a transaction, so concurrent requests queue rather than interleave.
 */
export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const run = (q: Pick<PGlite, 'query'>) => async <Row>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> => {
    const result = await q.query<Row>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  const query = run(pg);
  return {
    kind: 'pglite',
    query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pg.transaction(async (tx) => fn({ query: run(tx) }));
    },
    async close() {
      await pg.close();
    },
  };
}
