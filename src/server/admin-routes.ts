import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fhirErrors } from '../fhir/outcome/errors.ts';
import { FhirError } from '../fhir/outcome/fhir-error.ts';
import type { SecurityServices } from '../security/security-services.ts';

export interface AdminRouteOptions {
  security: SecurityServices;
  /** The token a local `huza` command presents (from the server lock), if this server has one. */
  localAdminToken?: string;
}

/**
 * Administration of OAuth clients, for exchange administrators (bearer token of the role) and for the
 * `huza clients` command on the same machine (the local admin token of the running server).
 */
export async function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { security } = options;
  const authorise = async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const local = /^Huza-Local (.+)$/.exec(header)?.[1];
    if (local && options.localAdminToken && safeEqual(local, options.localAdminToken)) return;
    const actor = await security.authenticator.authenticate(header);
    if (actor.kind !== 'person' || !actor.roles.includes('exchange-admin')) {
      throw new FhirError(403, [{ severity: 'error', code: 'forbidden', diagnostics: 'Only exchange administrators manage clients' }]);
    }
  };
  app.post<{ Body: { name?: string; scope?: string; facility?: string; jwks?: { keys: unknown[] } } }>('/admin/clients', async (request, reply) => {
    await authorise(request);
    const { name, scope, facility, jwks } = request.body ?? {};
    if (!name || !scope) throw fhirErrors.invalidParameter(!name ? 'name' : 'scope', 'is required');
    try {
      return reply.code(201).send(await security.clients.createSystemClient({ name, scope, facility, jwks }));
    } catch (error) {
      if (error instanceof FhirError) throw error;
      throw fhirErrors.invalidParameter('scope', (error as Error).message);
    }
  });
  app.get('/admin/clients', async (request) => {
    await authorise(request);
    return security.clients.list();
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
