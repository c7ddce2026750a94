import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import type { FhirEngine } from '../fhir/fhir-engine.ts';
import { FhirError } from '../fhir/outcome/fhir-error.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../fhir/rest/handle-fhir-request.ts';
import { writeSource } from '../fhir/repository/write-source.ts';
import { outcomeResponse } from '../fhir/rest/resource-response.ts';
import { AccessControl } from '../security/access/access-policy.ts';
import type { Actor } from '../security/access/actor.ts';
import { AuthenticationError } from '../security/access/authenticate.ts';
import { accessRecordFor } from '../security/audit/access-record-for.ts';
import type { SecurityServices } from '../security/security-services.ts';

export interface PipelineDeps {
  db: Database;
  engine: FhirEngine;
  security: SecurityServices;
}

/** Interactions anyone may use: the CapabilityStatement is how clients learn how to authenticate. */
const publicPaths = new Set(['metadata']);

/**
 * A FHIR request's journey, step by step: authenticate → authorise → route → audit → respond.
 * Every step is here, in order, so what happens to a request can be read in one place.
 */
export async function runFhirPipeline(deps: PipelineDeps, request: FastifyRequest, reply: FastifyReply, fhirRequest: FhirRequest): Promise<void> {
  const address = request.ip;
  const ctx: FhirContext = {
    repo: deps.engine.repo,
    operations: deps.engine.operations,
    search: deps.engine.search,
    baseUrl: deps.security.fhirBase,
  };

  // 1. authenticate: who is asking (an access token from our authorization server).
  let actor: Actor | undefined;
  if (!publicPaths.has(fhirRequest.path)) {
    try {
      actor = { ...(await deps.security.authenticator.authenticate(request.headers.authorization)), address };
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const response = outcomeResponse(401, error.toOperationOutcome(), { 'WWW-Authenticate': error.challenge });
      audit(deps, undefined, fhirRequest, response, address);
      return respond(reply, response);
    }
  }

  // 2. authorise: one AccessControl decides every type, patient and consent question of this request.
  const breakGlass = header(request, 'x-break-glass');
  if (actor && breakGlass) actor.breakGlassReason = breakGlass;
  const access = actor ? new AccessControl(actor, deps.db, deps.engine.repo.options.content) : undefined;
  if (access) ctx.access = access;

  // 3. route: the FHIR interaction itself (engine errors come back as OperationOutcome responses).
  let response: FhirResponse;
  try {
    response = actor ? await writeSource.run(actor.clientId, () => handleFhirRequest(ctx, fhirRequest)) : await handleFhirRequest(ctx, fhirRequest);
  } catch (error) {
    if (!(error instanceof FhirError)) {
      audit(deps, actor, fhirRequest, outcomeResponse(500, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception' }] }), address);
      throw error;
    }
    response = outcomeResponse(error.status, error.toOperationOutcome());
  }

  // 4. audit: every access to patient data, every change and every refusal.
  audit(deps, actor, fhirRequest, response, address, access?.brokeGlassFor);

  // 5. respond.
  return respond(reply, response);
}

function audit(deps: PipelineDeps, actor: Actor | undefined, req: FhirRequest, res: FhirResponse, address: string, brokeGlassFor?: Set<string>): void {
  const record = accessRecordFor(actor, req, res, address);
  if (!record) return;
  if (record.actor && (!brokeGlassFor || brokeGlassFor.size === 0)) record.actor = { ...record.actor, breakGlassReason: undefined };
  deps.security.audit.recordAccess(record);
}

function respond(reply: FastifyReply, response: FhirResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  if (response.body === undefined) return reply.send();
  return reply.type('application/fhir+json; charset=utf-8').send(response.body);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
