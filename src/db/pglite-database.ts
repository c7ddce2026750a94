import { AsyncLocalStorage } from 'node:async_hooks';
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
  // PGlite has one connection: a query that the code inside a transaction issues on the database
  // itself (the access policy reading consents during a batch entry, say) would wait for the very
  // transaction it runs in. Within a transaction's own async flow, such queries join it instead.
  // (Timers started inside a transaction inherit its context after it ends: only a live one is joined.)
  const open = new AsyncLocalStorage<{ tx: Queryable; live: boolean }>();
  const outside = run(pg);
  const joinable = () => {
    const current = open.getStore();
    return current?.live ? current.tx : undefined;
  };
  return {
    kind: 'pglite',
    query: <Row>(sql: string, params?: readonly SqlValue[]) => {
      const tx = joinable();
      return tx ? tx.query<Row>(sql, params) : outside<Row>(sql, params);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const current = joinable();
      if (current) return fn(current);
      return pg.transaction(async (t) => {
        const state = { tx: { query: run(t) } as Queryable, live: true };
        try {
          return await open.run(state, () => fn(state.tx));
        } finally {
          state.live = false;
        }
      });
    },
    async close() {
      await pg.close();
    },
  };
}
