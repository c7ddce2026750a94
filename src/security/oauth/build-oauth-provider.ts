import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { AccountStore } from '../accounts/account-store.ts';
import type { KeyRing } from '../encryption/key-ring.ts';
import { oauthAdapterFactory } from './oauth-adapter.ts';
import { loggedOutPage, logoutPage } from './interaction-pages.ts';
import { pickLanguage, type Language } from '../../i18n/translate.ts';
import { grantableScopes } from './smart-scope-policy.ts';

export interface OAuthOptions {
  /** The issuer: the server's public origin, e.g. https://huza.moh.gov.rw */
  issuer: string;
  /** The FHIR base URL, the one resource server tokens are issued for (their audience). */
  fhirBase: string;
  db: Database;
  keyRing: KeyRing;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto/Host. */
  proxy?: boolean;
}

export const smartStaticScopes = ['openid', 'profile', 'fhirUser', 'offline_access', 'online_access', 'launch', 'launch/patient'];

export const accessTokenSeconds = 15 * 60;

/** First-party clients get no consent screen: the web app is Huza itself. */
export const firstPartyClients = new Set(['huza-web']);

export async function buildOAuthProvider(options: OAuthOptions): Promise<Provider> {
  const { db, keyRing, fhirBase } = options;
  await keyRing.load('signing', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return Buffer.from(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }));
  });
  await keyRing.load('cookie', () => randomBytes(32));
  const signingKeys = keyRing.allKeys('signing').sort((a, b) => b.version - a.version).map((k) => JSON.parse(k.key.toString('utf8')));
  const cookieKeys = keyRing.allKeys('cookie').sort((a, b) => b.version - a.version).map((k) => k.key.toString('base64'));
  const accounts = new AccountStore(db);

  const requestedResourceScopes = (ctx: KoaContextWithOIDC): string[] => {
    const fromParams = String(ctx.oidc.params?.scope ?? '').split(' ');
    const fromGrant = ctx.oidc.entities.Grant?.getResourceScope(fhirBase)?.split(' ') ?? [];
    const fromRefresh = ctx.oidc.entities.RefreshToken?.scope?.split(' ') ?? [];
    return [...new Set([...fromParams, ...fromGrant, ...fromRefresh])].filter((s) => s.includes('/') && s !== 'launch/patient');
  };

  const configuration: Configuration = {
    adapter: oauthAdapterFactory(db),
    jwks: { keys: signingKeys },
    cookies: { keys: cookieKeys },
    scopes: smartStaticScopes,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'huza_roles', 'huza_facilities'],
      fhirUser: ['fhirUser', 'huza_roles', 'huza_facilities'],
    },
    conformIdTokenClaims: false,
    extraClientMetadata: { properties: ['huza_facility', 'huza_smart_scopes'] },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
    ttl: {
      AccessToken: accessTokenSeconds,
      ClientCredentials: accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 12 * 3600,
      Grant: 14 * 24 * 3600,
    },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client introspects and revokes its own tokens only: no client learns about, or ends, another's.
      introspection: { enabled: true, allowedPolicy: async (ctx, _client, token) => token.clientId === ctx.oidc.client?.clientId },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        // Huza's own pages, in the person's language, instead of the library's English defaults.
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = logoutPage(languageOf(ctx), form);
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = loggedOutPage(languageOf(ctx));
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator, client) => {
          if (resourceIndicator !== fhirBase) throw new errors.InvalidTarget(`tokens are issued for ${fhirBase} only`);
          const { granted, refused } = grantableScopes(requestedResourceScopes(ctx), client.metadata().huza_smart_scopes as string | undefined);
          if (refused.length > 0) throw new errors.InvalidScope(`scope not allowed for this client: ${refused.join(' ')}`, refused.join(' '));
          return { scope: granted.join(' '), audience: fhirBase, accessTokenFormat: 'opaque' };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!firstPartyClients.has(ctx.oidc.client!.clientId) || !ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(smartStaticScopes.filter((s) => String(ctx.oidc.params?.scope ?? '').split(' ').includes(s)).join(' '));
      grant.addResourceScope(fhirBase, requestedResourceScopes(ctx).join(' '));
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, sub) {
      const account = await accounts.findById(sub);
      if (!account || account.disabled) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: account.displayName,
            preferred_username: account.username,
            fhirUser: account.fhirUser,
            huza_roles: account.roles,
            huza_facilities: account.facilities,
          };
        },
      };
    },
    async extraTokenClaims(ctx, token) {
      // The access decision needs who the person is and where they work; carrying it in the token
      // spares an account lookup on every FHIR request.
      if ('accountId' in token && token.accountId) {
        const account = await accounts.findById(token.accountId as string);
        if (!account) return undefined;
        const patient = account.roles.includes('patient') ? account.fhirUser?.replace(/^Patient\//, '') : undefined;
        return { name: account.displayName, roles: account.roles, facilities: account.facilities, fhirUser: account.fhirUser, ...(patient ? { patient } : {}) };
      }
      const facility = ctx.oidc.client?.metadata().huza_facility;
      return facility ? { facilities: [facility] } : undefined;
    },
    // Browser apps (public clients, the web app among them) may call the token and userinfo
    // endpoints from the origins of their own redirect URIs; nothing else gets CORS.
    clientBasedCORS: (ctx, origin, client) => origin !== 'null'
      && (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none')
      && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    renderError(ctx, out) {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.proxy === true;
  // SMART apps read the launch context from the token response (`patient`), not from the token.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route === 'token' && body && typeof body.access_token === 'string') {
      const token = await provider.AccessToken.find(body.access_token);
      const patient = token?.extra?.patient;
      if (patient) body.patient = patient;
    }
  });
  return provider;
}

/** The language of an end-session page: ui_locales of the request, then the browser's preference. */
function languageOf(ctx: { oidc?: { params?: Record<string, unknown> }; query?: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }): Language {
  const explicit = String(ctx.oidc?.params?.ui_locales ?? ctx.query?.ui_locales ?? '');
  const accept = ctx.headers['accept-language'];
  return pickLanguage(explicit, Array.isArray(accept) ? accept[0] : accept);
}
