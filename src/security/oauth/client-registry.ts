import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { parseResourceScope } from '../access/smart-scopes.ts';
import { smartStaticScopes } from './build-oauth-provider.ts';

export interface NewSystemClient {
  name: string;
  /** Space-separated scopes the client may request: SMART `system/…` scopes and static ones. */
  scope: string;
  /** The facility (Organization id) the system acts for. */
  facility?: string;
  /** A public JWK Set for private_key_jwt; without it a client secret is issued. */
  jwks?: { keys: unknown[] };
}

export interface NewAppClient {
  clientId?: string;
  name: string;
  scope: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Public clients (browser apps) authenticate with PKCE only. */
  public: boolean;
}

export class ClientRegistry {
  private readonly sql: Queryable;

  constructor(sql: Queryable) {
    this.sql = sql;
  }

  /** A system client (facility EMR, lab system) for the client-credentials flow. */
  async createSystemClient(c: NewSystemClient): Promise<{ client_id: string; client_secret?: string }> {
    checkScopes(c.scope, ['system']);
    const clientId = `${slug(c.name)}-${randomBytes(4).toString('hex')}`;
    // oidc-provider compares client_secret itself; the database holds what it needs to do that.
    const secret = c.jwks ? undefined : randomBytes(32).toString('base64url');
    const metadata = {
      client_id: clientId,
      client_name: c.name,
      ...splitScopes(c.scope),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: c.jwks ? 'private_key_jwt' : 'client_secret_basic',
      ...(secret ? { client_secret: secret } : { jwks: c.jwks }),
      ...(c.facility ? { huza_facility: c.facility } : {}),
    };
    await this.sql.query('INSERT INTO oauth_client (client_id, name, metadata, facility) VALUES ($1, $2, $3, $4)',
      [clientId, c.name, JSON.stringify(metadata), c.facility ?? null]);
    return { client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
  }

  /** An interactive app (the web app, a SMART app) using authorization code with PKCE. */
  async createAppClient(c: NewAppClient): Promise<{ client_id: string; client_secret?: string }> {
    checkScopes(c.scope, ['patient', 'user']);
    const clientId = c.clientId ?? `${slug(c.name)}-${randomBytes(4).toString('hex')}`;
    const secret = c.public ? undefined : randomBytes(32).toString('base64url');
    const metadata = {
      client_id: clientId,
      client_name: c.name,
      ...splitScopes(c.scope),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      token_endpoint_auth_method: c.public ? 'none' : 'client_secret_basic',
      ...(secret ? { client_secret: secret } : {}),
    };
    await this.sql.query(
      `INSERT INTO oauth_client (client_id, name, metadata) VALUES ($1, $2, $3)
       ON CONFLICT (client_id) DO UPDATE SET metadata = $3, name = $2`, [clientId, c.name, JSON.stringify(metadata)]);
    return { client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
  }

  async list(): Promise<{ client_id: string; name: string; facility: string | null; disabled: boolean }[]> {
    return (await this.sql.query<{ client_id: string; name: string; facility: string | null; disabled: boolean }>(
      'SELECT client_id, name, facility, disabled FROM oauth_client ORDER BY created')).rows;
  }

  async disable(clientId: string): Promise<boolean> {
    return (await this.sql.query('UPDATE oauth_client SET disabled = true WHERE client_id = $1', [clientId])).rowCount > 0;
  }
}

/** oidc-provider knows only static scopes; the SMART resource scopes a client may ask for travel in huza_smart_scopes. */
function splitScopes(scope: string): { scope?: string; huza_smart_scopes: string } {
  const all = scope.split(/\s+/).filter(Boolean);
  const statics = all.filter((s) => smartStaticScopes.includes(s)).join(' ');
  return { ...(statics ? { scope: statics } : {}), huza_smart_scopes: all.filter((s) => !smartStaticScopes.includes(s)).join(' ') };
}

function checkScopes(scope: string, contexts: string[]): void {
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    if (smartStaticScopes.includes(s)) continue;
    const parsed = parseResourceScope(s);
    if (!parsed) throw new Error(`'${s}' is not a SMART scope (e.g. system/Patient.rs, user/*.cruds)`);
    if (!contexts.includes(parsed.context)) throw new Error(`'${s}': this kind of client takes ${contexts.join('/')} scopes`);
  }
}

function slug(name: string): string {
  return name.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'client';
}
