/**
 * The one storage boundary of Huza. Both adapters speak the same PostgreSQL SQL, so every domain
 * writes its queries once; only connection handling differs.
 */
export type SqlValue = string | number | boolean | null | Date | bigint | readonly unknown[] | Uint8Array;

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  /** 'pglite' (embedded) or 'postgres'. */
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn inside one transaction; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
