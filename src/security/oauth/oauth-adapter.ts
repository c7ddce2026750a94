import type { Queryable } from '../../db/database.ts';

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

/**
 * oidc-provider's storage, in our database so every app node sees the same sessions, codes and
 * tokens. Clients come from oauth_client (registered by administrators), never self-registered.
 */
export function oauthAdapterFactory(sql: Queryable) {
  return class DatabaseAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      await sql.query(
        `INSERT INTO oauth_store (model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (model, id) DO UPDATE SET payload = $3, grant_id = $4, uid = $5, user_code = $6, expires_at = $7`,
        [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null,
          expiresIn ? new Date(Date.now() + expiresIn * 1000) : null]);
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') {
        const client = await sql.query<{ metadata: Payload }>('SELECT metadata FROM oauth_client WHERE client_id = $1 AND NOT disabled', [id]);
        return client.rows[0]?.metadata;
      }
      return this.one('id = $2', id);
    }

    async findByUid(uid: string) {
      return this.one('uid = $2', uid);
    }

    async findByUserCode(userCode: string) {
      return this.one('user_code = $2', userCode);
    }

    async consume(id: string): Promise<void> {
      await sql.query(`UPDATE oauth_store SET consumed_at = now(), payload = payload || jsonb_build_object('consumed', extract(epoch from now())::int)
        WHERE model = $1 AND id = $2`, [this.model, id]);
    }

    async destroy(id: string): Promise<void> {
      await sql.query('DELETE FROM oauth_store WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await sql.query('DELETE FROM oauth_store WHERE grant_id = $1', [grantId]);
    }

    private async one(where: string, value: string): Promise<Payload | undefined> {
      const result = await sql.query<{ payload: Payload }>(
        `SELECT payload FROM oauth_store WHERE model = $1 AND ${where} AND (expires_at IS NULL OR expires_at > now())`, [this.model, value]);
      return result.rows[0]?.payload;
    }
  };
}
