import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { pickLanguage } from '../../i18n/translate.ts';
import type { AccountStore } from '../accounts/account-store.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { consentPage, loginPage } from './interaction-pages.ts';

export interface OAuthRouteOptions {
  provider: Provider;
  accounts: AccountStore;
  audit: AuditLog;
  fhirBase: string;
  /** Login attempts per client address per minute, besides the per-account lockout. */
  loginRateLimit: number;
}

/** Paths oidc-provider answers itself (authorize, token, userinfo, introspection, revocation, JWKS, logout, discovery). */
const providerPaths = ['/auth', '/auth/*', '/token', '/token/*', '/me', '/jwks', '/session/*', '/.well-known/openid-configuration'];

export async function registerOAuthRoutes(app: FastifyInstance, options: OAuthRouteOptions): Promise<void> {
  const { provider, accounts, audit } = options;
  const callback = provider.callback();

  await app.register(async (scope) => {
    // oidc-provider reads request bodies itself: leave the stream untouched.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    await scope.register(rateLimit, { max: options.loginRateLimit * 3, timeWindow: '1 minute', global: false });
    for (const url of providerPaths) {
      scope.route({
        method: ['GET', 'POST', 'OPTIONS'], url,
        config: { rateLimit: url.startsWith('/token') ? { max: options.loginRateLimit * 3, timeWindow: '1 minute' } : false },
        handler: (request, reply) => {
          reply.hijack();
          callback(request.raw, reply.raw);
        },
      });
    }
  });

  await app.register(async (scope) => {
    // The login forms are parsed into fields here; the FHIR routes keep the raw form body for _search.
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    await scope.register(formbody);
    await scope.register(rateLimit, { global: false });
    const language = (request: FastifyRequest, params?: Record<string, unknown>) =>
      pickLanguage((request.query as { lang?: string }).lang ?? (request.body as { lang?: string } | undefined)?.lang ?? String(params?.ui_locales ?? ''), request.headers['accept-language']);
    const html = (reply: FastifyReply, status: number, body: string) =>
      reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

    scope.get<{ Params: { uid: string } }>('/interaction/:uid', async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const lang = language(request, details.params);
      if (details.prompt.name === 'login') return html(reply, 200, loginPage(lang, details.uid));
      const client = await provider.Client.find(String(details.params.client_id));
      const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
      return html(reply, 200, consentPage(lang, details.uid, client?.clientName ?? String(details.params.client_id), scopes));
    });

    scope.post<{ Params: { uid: string }; Body: { username?: string; password?: string; totp?: string } }>('/interaction/:uid/login', {
      config: { rateLimit: { max: options.loginRateLimit, timeWindow: '1 minute' } },
    }, async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const lang = language(request, details.params);
      const { username = '', password = '', totp } = request.body ?? {};
      const result = await accounts.login(username, password, totp || undefined);
      if (!result.ok) {
        await audit.recordLogin({ username, outcome: 'failure', reason: result.reason, address: request.ip });
        const key = { 'unknown-or-wrong-password': 'login.failed', locked: 'login.locked', 'totp-required': 'login.totpRequired', 'totp-wrong': 'login.totpWrong', disabled: 'login.disabled' } as const;
        const values = result.lockedUntil ? { time: result.lockedUntil.toISOString().slice(11, 16) + ' UTC' } : undefined;
        const askTotp = result.reason === 'totp-required' || result.reason === 'totp-wrong';
        return html(reply, result.reason === 'totp-required' ? 200 : 401, loginPage(lang, details.uid, { key: key[result.reason], values }, askTotp, username));
      }
      await audit.recordLogin({ username, accountId: result.account.id, outcome: 'success', address: request.ip });
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { login: { accountId: result.account.id } }, { mergeWithLastSubmission: false });
    });

    scope.post<{ Params: { uid: string } }>('/interaction/:uid/confirm', async (request, reply) => {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const { prompt, params, session } = details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error('grant vanished during consent');
      const missing = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    });

    scope.post<{ Params: { uid: string } }>('/interaction/:uid/abort', async (request, reply) => {
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'The user denied access' }, { mergeWithLastSubmission: false });
    });
  });
}
