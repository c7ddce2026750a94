import type { SqlValue } from '../../db/database.ts';
import type { IndexRows } from '../search/index-rows.ts';

export interface VersionWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The version's JSON as stored (ContentCodec.encode); null for a deletion. */
  content: Uint8Array | null;
  rows: IndexRows;
  /** The version being replaced; undefined when the resource must not exist yet. */
  replaces?: number;
}

/**
 * One statement writes a version: the current row, the history row and the index rows. Data-modifying
 * CTEs all see the snapshot from before the statement, so old index rows are deleted and new ones
 * inserted without the two colliding, and every part is conditional on the resource row having been
 * written — a lost race writes nothing and is reported by `applied = 0`.
 */
export function writeVersionSql(w: VersionWrite): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [w.resourceType, w.id, w.versionId, w.lastUpdated, w.deleted, w.content, w.method];
  const p = (value: SqlValue) => `$${params.push(value)}`;
  const parts: string[] = [];
  parts.push(w.replaces === undefined
    ? `r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1)`
    : `r AS (UPDATE resource SET version_id = $3, last_updated = $4, deleted = $5, content = $6
        WHERE resource_type = $1 AND id = $2 AND version_id = ${p(w.replaces)} RETURNING 1)`);
  parts.push(`h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
    SELECT $1, $2, $3, $4, $5, $7, $6::bytea FROM r)`);
  const tables: [string, string[], string[], unknown[][]][] = [
    ['sp_string', ['param', 'value', 'exact', 'grp'], ['text', 'text', 'text', 'int'],
      [w.rows.string.map((r) => r.param), w.rows.string.map((r) => r.value), w.rows.string.map((r) => r.exact), w.rows.string.map((r) => r.grp)]],
    ['sp_token', ['param', 'system', 'code', 'display', 'grp'], ['text', 'text', 'text', 'text', 'int'],
      [w.rows.token.map((r) => r.param), w.rows.token.map((r) => r.system), w.rows.token.map((r) => r.code), w.rows.token.map((r) => r.display), w.rows.token.map((r) => r.grp)]],
    ['sp_reference', ['param', 'target_type', 'target_id', 'target_version', 'url', 'grp'], ['text', 'text', 'text', 'text', 'text', 'int'],
      [w.rows.reference.map((r) => r.param), w.rows.reference.map((r) => r.targetType), w.rows.reference.map((r) => r.targetId),
        w.rows.reference.map((r) => r.targetVersion), w.rows.reference.map((r) => r.url), w.rows.reference.map((r) => r.grp)]],
    ['sp_date', ['param', 'low', 'high', 'grp'], ['text', 'timestamptz', 'timestamptz', 'int'],
      [w.rows.date.map((r) => r.param), w.rows.date.map((r) => r.low?.toISOString() ?? null), w.rows.date.map((r) => r.high?.toISOString() ?? null), w.rows.date.map((r) => r.grp)]],
    ['sp_number', ['param', 'low', 'high', 'grp'], ['text', 'numeric', 'numeric', 'int'],
      [w.rows.number.map((r) => r.param), w.rows.number.map((r) => r.low), w.rows.number.map((r) => r.high), w.rows.number.map((r) => r.grp)]],
    ['sp_quantity', ['param', 'system', 'code', 'unit', 'low', 'high', 'grp'], ['text', 'text', 'text', 'text', 'numeric', 'numeric', 'int'],
      [w.rows.quantity.map((r) => r.param), w.rows.quantity.map((r) => r.system), w.rows.quantity.map((r) => r.code), w.rows.quantity.map((r) => r.unit),
        w.rows.quantity.map((r) => r.low), w.rows.quantity.map((r) => r.high), w.rows.quantity.map((r) => r.grp)]],
    ['sp_uri', ['param', 'value', 'grp'], ['text', 'text', 'int'],
      [w.rows.uri.map((r) => r.param), w.rows.uri.map((r) => r.value), w.rows.uri.map((r) => r.grp)]],
  ];
  for (const [table, columns, types, arrays] of tables) {
    if (w.replaces !== undefined) {
      parts.push(`d_${table} AS (DELETE FROM ${table} WHERE resource_type = $1 AND resource_id = $2 AND EXISTS (SELECT 1 FROM r))`);
    }
    if (arrays[0].length === 0) continue;
    const unnest = arrays.map((values, i) => `${p(values as SqlValue)}::${types[i]}[]`).join(', ');
    parts.push(`i_${table} AS (INSERT INTO ${table} (resource_type, resource_id, ${columns.join(', ')})
      SELECT $1, $2, u.* FROM unnest(${unnest}) AS u WHERE EXISTS (SELECT 1 FROM r))`);
  }
  return { sql: `WITH ${parts.join(',\n')}\nSELECT count(*)::int AS applied FROM r`, params };
}
