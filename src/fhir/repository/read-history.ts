import type { SqlValue } from '../../db/database.ts';
import type { FhirRepository } from './fhir-repository.ts';

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  since?: Date;
  /** Versions written after this instant are left out, so offset paging over the append-only history is stable. */
  till: Date;
  count: number;
  offset: number;
}

export interface HistoryEntry {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  method: string;
  json: string | null;
}

export async function readHistory(repo: FhirRepository, q: HistoryQuery): Promise<{ entries: HistoryEntry[]; total: number }> {
  const params: SqlValue[] = [q.till];
  const where = ['last_updated <= $1'];
  if (q.resourceType) where.push(`resource_type = $${params.push(q.resourceType)}`);
  if (q.id) where.push(`id = $${params.push(q.id)}`);
  // _since: versions created at or after the instant (R4 §3.1.0.12).
  if (q.since) where.push(`last_updated >= $${params.push(q.since)}`);
  const whereSql = where.join(' AND ');
  const sql = repo.sql;
  const [rows, total] = await Promise.all([
    sql.query<{ resource_type: string; id: string; version_id: number; last_updated: Date; deleted: boolean; method: string; content: Uint8Array | null }>(
      `SELECT resource_type, id, version_id, last_updated, deleted, method, content FROM resource_history
       WHERE ${whereSql} ORDER BY last_updated DESC, resource_type, id, version_id DESC LIMIT ${q.count} OFFSET ${q.offset}`, params),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_history WHERE ${whereSql}`, params),
  ]);
  return {
    total: total.rows[0].n,
    entries: await Promise.all(rows.rows.map(async (r) => ({
      resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: new Date(r.last_updated),
      deleted: r.deleted, method: r.method, json: await repo.decode({ resourceType: r.resource_type, id: r.id, versionId: r.version_id }, r.content),
    }))),
  };
}
