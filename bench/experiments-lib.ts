/** The what-if transformations of bench/experiments.ts, importable without running it. */
import { randomBytes } from 'node:crypto';
import type { SqlValue } from '../src/db/database.ts';
import { ReplayableCall, type Step } from './sql-capture.ts';

/** RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits, so ids created together sort together. */
export function uuidv7(): string {
  const b = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The 20 single-resource write statements of a captured transaction, rewritten as one statement that
 * inserts all resource, history and index rows with one multi-row INSERT per table (index rows only
 * for resources actually inserted, as today).
 */
export function batchedTransaction(call: ReplayableCall): ReplayableCall {
  const writes = call.statements.filter((s) => s.sql.startsWith('WITH r AS (INSERT INTO resource '));
  const params: SqlValue[] = [];
  const p = (v: SqlValue) => `$${params.push(v)}`;
  const col = (i: number) => writes.map((w) => w.params[i]);
  const parts = [
    `rs AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content)
      SELECT * FROM unnest(${p(col(0))}::text[], ${p(col(1))}::text[], ${p(col(2))}::int[], ${p(col(3))}::timestamptz[], ${p(col(4))}::boolean[], ${p(col(5))}::bytea[])
      ON CONFLICT DO NOTHING RETURNING resource_type, id, version_id, last_updated, deleted, content)`,
    `h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
      SELECT resource_type, id, version_id, last_updated, deleted, 'POST', content FROM rs)`,
  ];
  const tables = new Map<string, { columns: string[]; types: string[]; values: unknown[][] }>();
  const pattern = /i_(sp_\w+) AS \(INSERT INTO sp_\w+ \(resource_type, resource_id, ([^)]*)\)\s+SELECT \$1, \$2, u\.\* FROM unnest\(([^)]*)\)/g;
  for (const w of writes) {
    for (const m of w.sql.matchAll(pattern)) {
      const [, table, columnList, unnestList] = m;
      const columns = columnList.split(',').map((c) => c.trim());
      const refs = unnestList.split(',').map((a) => /\$(\d+)::(\w+)\[\]/.exec(a.trim()) as RegExpExecArray);
      let t = tables.get(table);
      if (!t) {
        t = { columns, types: refs.map((r) => r[2]), values: [[], [], ...columns.map(() => [])] };
        tables.set(table, t);
      }
      const arrays = refs.map((r) => w.params[Number(r[1]) - 1] as unknown[]);
      for (let row = 0; row < arrays[0].length; row++) {
        t.values[0].push(w.params[0]);
        t.values[1].push(w.params[1]);
        arrays.forEach((a, k) => t.values[k + 2].push(a[row]));
      }
    }
  }
  for (const [table, t] of tables) {
    const unnest = [p(t.values[0] as SqlValue) + '::text[]', p(t.values[1] as SqlValue) + '::text[]',
      ...t.types.map((type, k) => `${p(t.values[k + 2] as SqlValue)}::${type}[]`)].join(', ');
    parts.push(`i_${table} AS (INSERT INTO ${table} (resource_type, resource_id, ${t.columns.join(', ')})
      SELECT u.* FROM unnest(${unnest}) AS u(resource_type, resource_id, ${t.columns.join(', ')})
      WHERE EXISTS (SELECT 1 FROM rs WHERE rs.resource_type = u.resource_type AND rs.id = u.resource_id))`);
  }
  const sql = `WITH ${parts.join(',\n')}\nSELECT count(*)::int AS applied FROM rs`;
  const steps: Step[] = [{ kind: 'transaction', steps: [{ kind: 'query', sql, params }] }];
  return new ReplayableCall(steps, call.freshIds);
}


/**
 * The engine's date equality, `COALESCE(low, -inf) >= lo AND COALESCE(high, inf) <= hi`, rewritten as
 * `low >= lo AND low <= hi AND high <= hi`: the same rows (a NULL end fails both forms, and low <= high
 * always holds, so low <= hi is implied), but a bounded range on sp_date_range's `low` column.
 */
export function sargableDates(call: ReplayableCall): ReplayableCall {
  const pattern = /\(COALESCE\((\w+)\.low, '-infinity'::timestamptz\) >= (\$\d+(?:::timestamptz)?) AND COALESCE\(\1\.high, 'infinity'::timestamptz\) <= (\$\d+(?:::timestamptz)?)\)/g;
  const steps: Step[] = call.statements.map((s) => ({ kind: 'query', sql: s.sql.replace(pattern, '($1.low >= $2 AND $1.low <= $3 AND $1.high <= $3)'), params: s.params }));
  return new ReplayableCall(steps, call.freshIds);
}
