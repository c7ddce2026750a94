import type { Queryable } from '../../db/database.ts';

export type LinkMethod = 'identifier' | 'probabilistic' | 'new' | 'steward' | 'merge';

export interface LinkRow {
  source_id: string;
  golden_id: string;
  method: LinkMethod;
  score: number | null;
}

export interface ReviewRow {
  id: string;
  source_id: string;
  candidate_id: string;
  score: number;
  fields: unknown;
  status: string;
  created_at: Date;
}

/**
 * Members of many blocks with their golden records: one index probe per key and per member (the
 * LATERAL subqueries, fenced by OFFSET 0, keep the planner from hashing all of cr_link).
 */
export const blockMembersSql = `SELECT k.key, b.source_id, l.golden_id
  FROM (SELECT DISTINCT key FROM unnest($1::text[]) AS x(key)) k
  CROSS JOIN LATERAL (SELECT source_id FROM cr_block WHERE key = k.key OFFSET 0) b
  JOIN LATERAL (SELECT golden_id FROM cr_link WHERE source_id = b.source_id OFFSET 0) l ON true`;

/** The registry's own tables (migration 0005): links, their history, blocking keys and the review queue. */
export const registryStore = {
  async linkOf(sql: Queryable, sourceId: string): Promise<LinkRow | undefined> {
    const r = await sql.query<LinkRow>('SELECT source_id, golden_id, method, score FROM cr_link WHERE source_id = $1', [sourceId]);
    return r.rows[0];
  },

  async linksOfGoldens(sql: Queryable, goldenIds: string[]): Promise<LinkRow[]> {
    if (goldenIds.length === 0) return [];
    const r = await sql.query<LinkRow>('SELECT source_id, golden_id, method, score FROM cr_link WHERE golden_id = ANY($1::text[]) ORDER BY source_id', [goldenIds]);
    return r.rows;
  },

  async linksOfSources(sql: Queryable, sourceIds: string[]): Promise<LinkRow[]> {
    if (sourceIds.length === 0) return [];
    const r = await sql.query<LinkRow>('SELECT source_id, golden_id, method, score FROM cr_link WHERE source_id = ANY($1::text[])', [sourceIds]);
    return r.rows;
  },

  async isGolden(sql: Queryable, id: string): Promise<boolean> {
    const r = await sql.query('SELECT 1 FROM cr_link WHERE golden_id = $1 LIMIT 1', [id]);
    return r.rows.length > 0;
  },

  async setLink(sql: Queryable, link: LinkRow & { decidedBy: string; reason?: string; rulesVersion?: number }): Promise<void> {
    const before = await registryStore.linkOf(sql, link.source_id);
    if (before && before.golden_id === link.golden_id && before.method === link.method) return;
    await sql.query(
      `INSERT INTO cr_link (source_id, golden_id, method, score, rules_version, decided_by, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (source_id) DO UPDATE SET golden_id = EXCLUDED.golden_id, method = EXCLUDED.method, score = EXCLUDED.score,
         rules_version = EXCLUDED.rules_version, decided_by = EXCLUDED.decided_by, decided_at = now()`,
      [link.source_id, link.golden_id, link.method, link.score, link.rulesVersion ?? null, link.decidedBy]);
    await sql.query(
      `INSERT INTO cr_link_history (source_id, golden_id, previous_golden_id, method, score, decided_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [link.source_id, link.golden_id, before?.golden_id ?? null, link.method, link.score, link.decidedBy, link.reason ?? null]);
  },

  async removeLink(sql: Queryable, sourceId: string, decidedBy: string, reason: string): Promise<LinkRow | undefined> {
    const before = await registryStore.linkOf(sql, sourceId);
    if (!before) return undefined;
    await sql.query('DELETE FROM cr_link WHERE source_id = $1', [sourceId]);
    await sql.query('DELETE FROM cr_block WHERE source_id = $1', [sourceId]);
    await sql.query(
      `INSERT INTO cr_link_history (source_id, golden_id, previous_golden_id, method, decided_by, reason) VALUES ($1, NULL, $2, $3, $4, $5)`,
      [sourceId, before.golden_id, before.method, decidedBy, reason]);
    return before;
  },

  async history(sql: Queryable, sourceIds: string[]) {
    const r = await sql.query<{ seq: string; source_id: string; golden_id: string | null; previous_golden_id: string | null; method: string; score: number | null; decided_by: string | null; reason: string | null; decided_at: Date }>(
      'SELECT * FROM cr_link_history WHERE source_id = ANY($1::text[]) ORDER BY seq', [sourceIds]);
    return r.rows;
  },

  async setBlockingKeys(sql: Queryable, sourceId: string, keys: string[]): Promise<void> {
    await sql.query('DELETE FROM cr_block WHERE source_id = $1', [sourceId]);
    if (keys.length > 0) {
      await sql.query('INSERT INTO cr_block (key, source_id) SELECT DISTINCT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING', [keys, sourceId]);
    }
  },

  /** Source records sharing a blocking key, most shared keys first; huge blocks (common name + year) are capped. */
  async candidates(sql: Queryable, keys: string[], exclude: string, limit: number): Promise<string[]> {
    if (keys.length === 0) return [];
    const r = await sql.query<{ source_id: string }>(
      `SELECT source_id FROM cr_block WHERE key = ANY($1::text[]) AND source_id <> $2
       GROUP BY source_id ORDER BY count(*) DESC, source_id LIMIT $3`, [keys, exclude, limit]);
    return r.rows.map((x) => x.source_id);
  },

  /** Patients (other than `exclude`) holding system|value as an identifier, from the search index. */
  async holdersOf(sql: Queryable, system: string, value: string, exclude: string): Promise<string[]> {
    const r = await sql.query<{ resource_id: string }>(
      `SELECT DISTINCT resource_id FROM sp_token
       WHERE resource_type = 'Patient' AND param = 'identifier' AND system = $1 AND code = $2 AND resource_id <> $3`,
      [system, value, exclude]);
    return r.rows.map((x) => x.resource_id);
  },

  /** Pairs (either order, as `a\u0000b`) a steward kept apart that involve one of `ids`. */
  async notDuplicatesOf(sql: Queryable, ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (ids.length === 0) return out;
    const r = await sql.query<{ a: string; b: string }>('SELECT a, b FROM cr_not_duplicate WHERE a = ANY($1::text[]) OR b = ANY($1::text[])', [ids]);
    for (const { a, b } of r.rows) out.add(`${a}\u0000${b}`).add(`${b}\u0000${a}`);
    return out;
  },

  // ---- batches (the bulk loader): one statement for many records ----

  /** Linked source records holding any of the (system, value) identifiers, per the search index. */
  async holdersOfMany(sql: Queryable, systems: string[], values: string[]): Promise<{ system: string; code: string; source_id: string; golden_id: string }[]> {
    if (systems.length === 0) return [];
    // LATERAL: one index probe per identifier, whatever the statistics say (a semi-join plan scans every identifier).
    const r = await sql.query<{ system: string; code: string; source_id: string; golden_id: string }>(
      `SELECT u.s AS system, u.v AS code, t.resource_id AS source_id, l.golden_id
       FROM (SELECT DISTINCT s, v FROM unnest($1::text[], $2::text[]) AS x(s, v)) u
       CROSS JOIN LATERAL (SELECT DISTINCT resource_id FROM sp_token
         WHERE resource_type = 'Patient' AND param = 'identifier' AND code = u.v AND system = u.s OFFSET 0) t
       JOIN LATERAL (SELECT golden_id FROM cr_link WHERE source_id = t.resource_id OFFSET 0) l ON true`, [systems, values]);
    return r.rows;
  },

  /** Every linked source record in any of the blocks, with its golden record (the caller caps per record). */
  async blockMembers(sql: Queryable, keys: string[]): Promise<{ key: string; source_id: string; golden_id: string }[]> {
    if (keys.length === 0) return [];
    const r = await sql.query<{ key: string; source_id: string; golden_id: string }>(blockMembersSql, [keys]);
    return r.rows;
  },

  /**
   * Keys of sources that have none yet (new records, each key once per source): a plain insert, as
   * ON CONFLICT would probe the primary key once more per row for conflicts that cannot happen.
   */
  async insertBlocks(sql: Queryable, keys: string[], sourceIds: string[]): Promise<void> {
    if (keys.length === 0) return;
    await sql.query('INSERT INTO cr_block (key, source_id) SELECT * FROM unnest($1::text[], $2::text[])', [keys, sourceIds]);
  },

  /** New links (sources not linked before) and their history rows. */
  async insertLinks(sql: Queryable, links: (LinkRow & { rulesVersion: number })[], decidedBy: string): Promise<void> {
    if (links.length === 0) return;
    const cols = [links.map((l) => l.source_id), links.map((l) => l.golden_id), links.map((l) => l.method), links.map((l) => l.score), links.map((l) => l.rulesVersion)];
    await sql.query(
      `INSERT INTO cr_link (source_id, golden_id, method, score, rules_version, decided_by, decided_at)
       SELECT s, g, m, sc, rv, $6, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::int[]) AS u(s, g, m, sc, rv)`,
      [...cols, decidedBy]);
    await sql.query(
      `INSERT INTO cr_link_history (source_id, golden_id, previous_golden_id, method, score, decided_by)
       SELECT s, g, NULL, m, sc, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS u(s, g, m, sc)`,
      [...cols.slice(0, 4), decidedBy]);
  },

  async openReviews(sql: Queryable, reviews: { sourceId: string; candidateId: string; score: number; fields: unknown }[], rulesVersion: number): Promise<void> {
    if (reviews.length === 0) return;
    await sql.query(
      `INSERT INTO cr_review (source_id, candidate_id, score, fields, rules_version)
       SELECT s, c, sc, f::jsonb, $5 FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS u(s, c, sc, f)
       ON CONFLICT (source_id, candidate_id) DO UPDATE SET score = EXCLUDED.score, fields = EXCLUDED.fields, status = 'open',
         rules_version = EXCLUDED.rules_version, decided_at = NULL, decided_by = NULL`,
      [reviews.map((r) => r.sourceId), reviews.map((r) => r.candidateId), reviews.map((r) => r.score), reviews.map((r) => JSON.stringify(r.fields)), rulesVersion]);
  },

  async markNotDuplicate(sql: Queryable, a: string, b: string, decidedBy: string): Promise<void> {
    const [x, y] = a < b ? [a, b] : [b, a];
    await sql.query('INSERT INTO cr_not_duplicate (a, b, decided_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [x, y, decidedBy]);
  },

  async openReview(sql: Queryable, sourceId: string, candidateId: string, score: number, fields: unknown, rulesVersion: number): Promise<void> {
    await sql.query(
      `INSERT INTO cr_review (source_id, candidate_id, score, fields, rules_version) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (source_id, candidate_id) DO UPDATE SET score = EXCLUDED.score, fields = EXCLUDED.fields, status = 'open',
         rules_version = EXCLUDED.rules_version, decided_at = NULL, decided_by = NULL`,
      [sourceId, candidateId, score, JSON.stringify(fields), rulesVersion]);
  },

  async closeReviews(sql: Queryable, sourceIds: string[], status: string, decidedBy: string): Promise<void> {
    await sql.query(
      `UPDATE cr_review SET status = $2, decided_at = now(), decided_by = $3
       WHERE status = 'open' AND (source_id = ANY($1::text[]) OR candidate_id = ANY($1::text[]))`, [sourceIds, status, decidedBy]);
  },

  async reviews(sql: Queryable, status: string, limit: number, offset: number): Promise<ReviewRow[]> {
    const r = await sql.query<ReviewRow>(
      `SELECT id::text AS id, source_id, candidate_id, score, fields, status, created_at FROM cr_review
       WHERE status = $1 ORDER BY score DESC, id LIMIT $2 OFFSET $3`, [status, limit, offset]);
    return r.rows;
  },

  async latestJson(sql: Queryable, table: 'cr_rules' | 'cr_model'): Promise<{ version: number; value: unknown } | undefined> {
    const column = table === 'cr_rules' ? 'rules' : 'model';
    const r = await sql.query<{ version: number; value: unknown }>(`SELECT version, ${column} AS value FROM ${table} ORDER BY version DESC LIMIT 1`);
    const row = r.rows[0];
    return row ? { version: row.version, value: typeof row.value === 'string' ? JSON.parse(row.value) : row.value } : undefined;
  },

  /** A new version of the rules or the model; a model also records what it was estimated from and why it was adopted (`basis`). */
  async saveJson(sql: Queryable, table: 'cr_rules' | 'cr_model', value: unknown, createdBy?: string, basis?: unknown): Promise<number> {
    const latest = await registryStore.latestJson(sql, table);
    const version = (latest?.version ?? 0) + 1;
    if (table === 'cr_rules') await sql.query('INSERT INTO cr_rules (version, rules, created_by) VALUES ($1, $2::jsonb, $3)', [version, JSON.stringify(value), createdBy ?? null]);
    else await sql.query('INSERT INTO cr_model (version, model, created_by, basis) VALUES ($1, $2::jsonb, $3, $4::jsonb)', [version, JSON.stringify(value), createdBy ?? null, basis === undefined ? null : JSON.stringify(basis)]);
    return version;
  },

  /** The newest version numbers of the rules and the model (0: none stored, the built-in ones are in force). */
  async latestVersions(sql: Queryable): Promise<{ rules: number; model: number }> {
    const r = await sql.query<{ rules: number | null; model: number | null }>('SELECT (SELECT max(version) FROM cr_rules) AS rules, (SELECT max(version) FROM cr_model) AS model');
    return { rules: r.rows[0].rules ?? 0, model: r.rows[0].model ?? 0 };
  },

  // ---- re-estimating the match model (model-estimation.ts) ----

  /** Every version of the match model, newest first: who adopted it, when, on what basis. */
  async modelHistory(sql: Queryable, limit: number): Promise<ModelVersionRow[]> {
    const r = await sql.query<ModelVersionRow & { basis: unknown }>(
      `SELECT version, model->>'version' AS name, created_by, created_at, basis FROM cr_model ORDER BY version DESC LIMIT $1`, [limit]);
    return r.rows.map((row) => ({ ...row, basis: typeof row.basis === 'string' ? JSON.parse(row.basis) : row.basis }));
  },

  async modelVersion(sql: Queryable, version: number): Promise<unknown | undefined> {
    const r = await sql.query<{ model: unknown }>('SELECT model FROM cr_model WHERE version = $1', [version]);
    const model = r.rows[0]?.model;
    return typeof model === 'string' ? JSON.parse(model) : model;
  },

  /** Source records placed with a person. */
  async sourceCount(sql: Queryable): Promise<number> {
    return (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM cr_link')).rows[0].n;
  },

  /**
   * Up to `n` placed source records, a uniform random sample that depends only on the seed and on
   * which records are stored (a hash order, not the table's physical order): one pass over cr_link
   * keeping the n smallest hashes.
   */
  async sampleSources(sql: Queryable, n: number, seed: number): Promise<string[]> {
    const r = await sql.query<{ source_id: string }>('SELECT source_id FROM cr_link ORDER BY md5(source_id || $1), source_id LIMIT $2', [`:${seed}`, n]);
    return r.rows.map((x) => x.source_id);
  },

  /** The blocking keys of each of the records (cr_block by source). */
  async keysOf(sql: Queryable, sourceIds: string[]): Promise<{ source_id: string; key: string }[]> {
    if (sourceIds.length === 0) return [];
    const r = await sql.query<{ source_id: string; key: string }>('SELECT source_id, key FROM cr_block WHERE source_id = ANY($1::text[])', [sourceIds]);
    return r.rows;
  },
};

export interface ModelVersionRow {
  version: number;
  /** The model's own version string (e.g. registry-em-2026-05-01-5000r-seed1). */
  name: string | null;
  created_by: string | null;
  created_at: Date;
  basis: unknown;
}
