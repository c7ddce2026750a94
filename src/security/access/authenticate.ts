import type Provider from 'oidc-provider';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import { isRole, type Role } from '../accounts/roles.ts';
import type { Actor } from './actor.ts';
import { parseScopes } from './smart-scopes.ts';

export class AuthenticationError extends FhirError {
  readonly challenge: string;

  constructor(diagnostics: string, challenge: string) {
    super(401, [{ severity: 'error', code: 'login', diagnostics }]);
    this.challenge = challenge;
  }
}

interface CachedActor {
  actor: Actor;
  until: number;
}

/** How long a looked-up token is trusted without asking the store again; revocation on this node clears it at once. */
const cacheMs = 10_000;
const maxCached = 20_000;

/**
 * Bearer tokens of the FHIR API: opaque tokens issued by our authorization server, looked up in its
 * store (so revocation takes effect), checked for expiry and audience, and turned into an Actor.
 */
export class TokenAuthenticator {
  private readonly provider: Provider;
  private readonly audience: string;
  private readonly cache = new Map<string, CachedActor>();

  constructor(provider: Provider, audience: string) {
    this.provider = provider;
    this.audience = audience;
    const forget = (token: { jti?: string }) => {
      if (token.jti) this.cache.delete(token.jti);
    };
    provider.on('access_token.destroyed', forget);
    provider.on('client_credentials.destroyed', forget);
    provider.on('grant.revoked', () => this.cache.clear());
  }

  async authenticate(authorization: string | undefined): Promise<Actor> {
    const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '');
    if (!m) throw new AuthenticationError('A bearer access token is required (Authorization: Bearer …)', 'Bearer realm="huza"');
    const value = m[1];
    const cached = this.cache.get(value);
    if (cached && cached.until > Date.now()) return cached.actor;
    const token = (await this.provider.AccessToken.find(value)) ?? (await this.provider.ClientCredentials.find(value));
    const invalid = (why: string) => new AuthenticationError(`The access token ${why}`, `Bearer realm="huza", error="invalid_token", error_description="${why}"`);
    if (!token) throw invalid('is unknown, expired or revoked');
    if (token.isExpired) throw invalid('has expired');
    const audience = token.aud ?? token.resourceServer?.audience;
    if ((Array.isArray(audience) ? !audience.includes(this.audience) : audience !== this.audience)) throw invalid(`is not for ${this.audience}`);
    const extra = (token.extra ?? {}) as { name?: string; roles?: string[]; facilities?: string[]; fhirUser?: string; patient?: string };
    const accountId = 'accountId' in token ? (token.accountId as string | undefined) : undefined;
    const actor: Actor = {
      kind: accountId ? 'person' : 'system',
      id: accountId ?? token.clientId as string,
      clientId: token.clientId as string,
      ...(extra.name ? { displayName: extra.name } : {}),
      roles: (extra.roles ?? []).filter(isRole) as Role[],
      fhirUser: extra.fhirUser,
      facilities: extra.facilities ?? [],
      patient: extra.patient,
      scopes: parseScopes(token.scope),
    };
    if (this.cache.size >= maxCached) this.cache.clear();
    this.cache.set(value, { actor, until: Math.min(Date.now() + cacheMs, (token.exp ?? 0) * 1000) });
    return actor;
  }
}
