import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import type { FhirEngine } from '../fhir/fhir-engine.ts';
import { fhirErrors } from '../fhir/outcome/errors.ts';
import { FhirError } from '../fhir/outcome/fhir-error.ts';
import type { FhirRequest } from '../fhir/rest/fhir-request.ts';
import { registerOAuthRoutes } from '../security/oauth/register-oauth-routes.ts';
import type { SecurityServices } from '../security/security-services.ts';
import { runFhirPipeline } from './fhir-pipeline.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerWebAppRoutes } from './web-app-routes.ts';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { smartConfiguration } from '../security/oauth/smart-configuration.ts';
import { outcome } from '../fhir/outcome/fhir-error.ts';

export interface ServerOptions {
  db: Database;
  engine: FhirEngine;
  security: SecurityServices;
  bodyLimit: number;
  logLevel: string;
  /** Login attempts per client address per minute. */
  loginRateLimit?: number;
  /** The token a local `huza` command presents to administer this server. */
  localAdminToken?: string;
  /** Serve HTTPS with this key and certificate. */
  https?: { key: Buffer; cert: Buffer };
  /** Where the built web app is (tests may point elsewhere). */
  webDistDir?: string;
}

const fhirJson = 'application/fhir+json; charset=utf-8';

/**
 * The HTTP front door. Logs carry method, route pattern, status and timing only: never a URL with its
 * query (search values are PHI), a header or a body.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: options.bodyLimit,
    // Fastify's own request lines carry the URL, and FHIR URLs carry search values: our onResponse line replaces them.
    logController: new LogController({ disableRequestLogging: true }),
    logger: { level: options.logLevel },
    return503OnClosing: true,
  });

  // Once shutdown starts, each response closes its connection: busy keep-alive clients would otherwise
  // hold close() open until the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const parseJson = (_req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (error) {
      done(fhirErrors.invalidJson((error as Error).message));
    }
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/fhir+json', 'application/json', 'application/json-patch+json'], { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).length === 0) return done(null, undefined);
    done(fhirErrors.unsupportedMediaType(String(req.headers['content-type'])));
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof FhirError) {
      return reply.code(error.status).type(fhirJson).send(JSON.stringify(error.toOperationOutcome()));
    }
    const fastifyError = error as { code?: string; statusCode?: number };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const e = fhirErrors.tooLarge(options.bodyLimit);
      return reply.code(413).type(fhirJson).send(JSON.stringify(e.toOperationOutcome()));
    }
    if (fastifyError.statusCode && fastifyError.statusCode < 500) {
      return reply.code(fastifyError.statusCode).type(fhirJson).send(JSON.stringify(outcome('error', 'invalid', (error as Error).message)));
    }
    // Only the error's kind and where it was thrown are logged; its message may quote stored values.
    request.log.error({ err: { name: (error as Error).name, code: fastifyError.code, stack: (error as Error).stack?.split('\n').slice(1, 6).join('\n') } }, 'request failed');
    return reply.code(500).type(fhirJson).send(JSON.stringify(outcome('fatal', 'exception', 'Internal server error; the request changed nothing it had not committed')));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.db.query('SELECT 1');
      return { status: 'ready', database: options.db.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: options.db.kind });
    }
  });

  // Security headers everywhere; the app and the authorization pages may frame themselves (silent
  // token renewal runs in a same-origin iframe), nothing else may frame them.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"], frameAncestors: ["'self'"],
        // Only where we serve HTTPS: on a plain-http origin it would send the silent-renewal frame to https.
        upgradeInsecureRequests: options.https ? [] : null,
        // Login forms end in a redirect to the app's registered redirect URI, often another origin.
        formAction: null,
      },
    },
    frameguard: { action: 'sameorigin' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
  await registerWebAppRoutes(app, options.webDistDir);
  await registerOAuthRoutes(app, {
    provider: options.security.provider, accounts: options.security.accounts, audit: options.security.audit,
    fhirBase: options.security.fhirBase, loginRateLimit: options.loginRateLimit ?? 20,
  });
  await registerAdminRoutes(app, { security: options.security, localAdminToken: options.localAdminToken });
  app.addHook('onClose', async () => {
    await options.security.audit.close();
  });

  const fhirHandler = (request: FastifyRequest<{ Params: { '*': string } }>, reply: import('fastify').FastifyReply) =>
    runFhirPipeline(options, request, reply, toFhirRequest(request));
  // SMART apps run in browsers on their own origins and call the FHIR API with bearer tokens (no
  // cookies), so any origin may; the token decides what it gets.
  await app.register(async (fhirScope) => {
    await fhirScope.register(cors, { origin: true, credentials: false, exposedHeaders: ['Location', 'ETag', 'Last-Modified', 'Content-Location', 'WWW-Authenticate'] });
    fhirScope.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/fhir', handler: fhirHandler });
    fhirScope.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/fhir/*', handler: fhirHandler });
    fhirScope.get('/fhir/.well-known/smart-configuration', async () => smartConfiguration(options.security.issuer, options.security.fhirBase));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = fhirErrors.notFoundRoute(request.url.split('?')[0]);
    reply.code(404).type(fhirJson).send(JSON.stringify(e.toOperationOutcome()));
  });
  return app;
}

function toFhirRequest(request: FastifyRequest<{ Params: { '*': string } }>): FhirRequest {
  const url = new URL(request.url, 'http://local');
  const query = [...url.searchParams.entries()];
  let body = request.body;
  const contentType = request.headers['content-type'];
  // POST [type]/_search: the parameters may come in a form body as well as the URL.
  if (typeof body === 'string' && contentType?.startsWith('application/x-www-form-urlencoded')) {
    query.push(...new URLSearchParams(body).entries());
    body = undefined;
  }
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    method: request.method as FhirRequest['method'],
    path: (request.params['*'] ?? '').replace(/^\/+/, ''),
    query,
    headers: {
      ifMatch: header('if-match'), ifNoneExist: header('if-none-exist'), ifNoneMatch: header('if-none-match'),
      ifModifiedSince: header('if-modified-since'), prefer: header('prefer'), contentType,
    },
    body,
  };
}
