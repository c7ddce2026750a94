import type { Operation as JsonPatchOperation } from 'fast-json-patch';
import { isResourceType } from '../definitions/structure-definitions.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { FhirError } from '../outcome/fhir-error.ts';
import { readOperationInput } from '../operations/operation-parameters.ts';
import type { OperationLevel } from '../operations/operation-registry.ts';
import type { FhirResource } from '../repository/resource-types.ts';
import { executeSearch } from '../search/execute-search.ts';
import { keepVisible } from './keep-visible.ts';
import { parseSearchRequest } from '../search/parse-search-request.ts';
import { processBundle } from '../bundle/process-bundle.ts';
import { capabilityStatement } from './capability-statement.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './fhir-request.ts';
import { historyInteraction } from './history-interaction.ts';
import { parsePrefer } from './prefer.ts';
import { outcomeResponse, parseIfMatch, resourceJson, versionHeaders, writeResponse } from './resource-response.ts';
import { searchsetBundle } from './search-bundle.ts';

/**
 * The FHIR RESTful API in one place: which interaction a request is, and how it runs. Errors of the
 * engine become OperationOutcome responses; anything else is a server fault and propagates.
 */
export async function handleFhirRequest(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  try {
    return await route(ctx, req);
  } catch (error) {
    if (error instanceof FhirError) return outcomeResponse(error.status, error.toOperationOutcome());
    throw error;
  }
}

async function route(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  const segments = req.path.split('/').filter(Boolean).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      // Bundle entry URLs reach here undecoded by HTTP: a bad %-escape is the client's error, not a 500.
      throw fhirErrors.notFoundRoute(`/${req.path}`);
    }
  });
  const [first, second, third, fourth] = segments;
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const notAllowed = () => fhirErrors.methodNotAllowed(req.method, `/${req.path}`);
  if (segments.length === 0) {
    if (method === 'POST') return processBundle(ctx, req);
    throw notAllowed();
  }
  if (first.startsWith('$')) return operation(ctx, req, first.slice(1), 'system');
  if (segments.length === 1 && first === 'metadata') {
    if (method !== 'GET') throw notAllowed();
    return { status: 200, headers: {}, body: JSON.stringify(capabilityStatement(ctx)) };
  }
  if (segments.length === 1 && first === '_history') {
    if (method !== 'GET') throw notAllowed();
    return historyInteraction(ctx, req);
  }
  if (!isResourceType(first)) throw fhirErrors.unknownResourceType(first);
  const type = first;
  if (segments.length === 1) {
    switch (method) {
      case 'GET': return search(ctx, req, type, req.query);
      case 'POST': return create(ctx, req, type);
      case 'PUT': return conditionalUpdate(ctx, req, type);
      case 'DELETE': return conditionalDelete(ctx, req, type);
      case 'PATCH': return conditionalPatch(ctx, req, type);
    }
  }
  if (segments.length === 2) {
    if (second === '_search') {
      if (method !== 'POST') throw notAllowed();
      return search(ctx, req, type, req.query);
    }
    if (second === '_history') {
      if (method !== 'GET') throw notAllowed();
      return historyInteraction(ctx, req, type);
    }
    if (second.startsWith('$')) return operation(ctx, req, second.slice(1), 'type', type);
    switch (method) {
      case 'GET': return read(ctx, req, type, second);
      case 'PUT': return update(ctx, req, type, second);
      case 'PATCH': return patch(ctx, req, type, second);
      case 'DELETE': return remove(ctx, type, second);
      default: throw notAllowed();
    }
  }
  if (segments.length === 3 && third === '_history') {
    if (method !== 'GET') throw notAllowed();
    return historyInteraction(ctx, req, type, second);
  }
  if (segments.length === 3 && third.startsWith('$')) return operation(ctx, req, third.slice(1), 'instance', type, second);
  if (segments.length === 4 && third === '_history') {
    if (method !== 'GET') throw notAllowed();
    ctx.access?.checkType(type, 'r');
    const version = await ctx.repo.vread(type, second, fourth);
    await ctx.access?.assertVisible(version);
    return { status: 200, headers: versionHeaders(version), body: resourceJson(version, summaryOf(req), elementsOf(req)) };
  }
  throw fhirErrors.notFoundRoute(`/${req.path}`);
}

function summaryOf(req: FhirRequest) {
  const v = req.query.find(([k]) => k === '_summary')?.[1];
  if (v !== undefined && !['true', 'text', 'data', 'count', 'false'].includes(v)) throw fhirErrors.invalidSearchValue('_summary', v, 'must be true, text, data, count or false');
  return v as 'true' | 'text' | 'data' | 'false' | undefined;
}

function elementsOf(req: FhirRequest): string[] | undefined {
  return req.query.find(([k]) => k === '_elements')?.[1].split(',').map((e) => e.trim()).filter(Boolean);
}

async function read(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'r');
  const version = await ctx.repo.read(type, id);
  await ctx.access?.assertVisible(version);
  const headers = versionHeaders(version);
  if (req.headers.ifNoneMatch && parseIfMatch(req.headers.ifNoneMatch) === version.versionId) return { status: 304, headers };
  if (req.headers.ifModifiedSince) {
    const since = Date.parse(req.headers.ifModifiedSince);
    if (!Number.isNaN(since) && Math.floor(version.lastUpdated.getTime() / 1000) <= Math.floor(since / 1000)) return { status: 304, headers };
  }
  return { status: 200, headers, body: resourceJson(version, summaryOf(req), elementsOf(req)) };
}

function bodyResource(req: FhirRequest, type: string): FhirResource {
  const body = req.body as FhirResource | undefined;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body) || typeof body.resourceType !== 'string') throw fhirErrors.notAResource();
  if (body.resourceType !== type) throw fhirErrors.typeMismatch(type, body.resourceType);
  return body;
}

function ifMatchOf(req: FhirRequest): number | undefined {
  const v = parseIfMatch(req.headers.ifMatch);
  if (v !== undefined && Number.isNaN(v)) throw fhirErrors.badIfMatch(req.headers.ifMatch as string);
  return v;
}

async function create(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'c');
  const resource = bodyResource(req, type);
  const prefs = parsePrefer(req.headers.prefer);
  await ctx.access?.checkWrite(resource);
  // The server assigns the id of a created resource; any id in the body is ignored (R4 §3.1.0.8).
  const { id: _ignored, ...withoutId } = resource;
  if (req.headers.ifNoneExist) {
    const criteria = conditionCriteria(type, req.headers.ifNoneExist);
    return ctx.repo.withTransaction(async (repo) => {
      await repo.lockCondition(type, criteria);
      const existing = await matchOne({ ...ctx, repo }, type, new URLSearchParams(criteria), 'If-None-Exist');
      if (existing) return writeResponse(200, await repo.read(type, existing), ctx.baseUrl, prefs, true);
      return writeResponse(201, await repo.create(withoutId as FhirResource), ctx.baseUrl, prefs, true);
    });
  }
  const version = await ctx.repo.create(withoutId as FhirResource);
  return writeResponse(201, version, ctx.baseUrl, prefs, true);
}

async function update(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'u');
  const resource = bodyResource(req, type);
  if (resource.id !== id) throw fhirErrors.idMismatch(id, resource.id);
  await guardExisting(ctx, type, id);
  await ctx.access?.checkWrite(resource);
  const { version, created } = await ctx.repo.update(resource, { ifMatch: ifMatchOf(req) });
  return writeResponse(created ? 201 : 200, version, ctx.baseUrl, parsePrefer(req.headers.prefer), created);
}

async function patch(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  if (req.headers.contentType && !req.headers.contentType.includes('json-patch')) throw fhirErrors.unsupportedMediaType(req.headers.contentType);
  ctx.access?.checkType(type, 'u');
  const operations = patchOperations(req);
  await guardExisting(ctx, type, id);
  const { version } = await ctx.repo.patch(type, id, operations, { ifMatch: ifMatchOf(req) });
  return writeResponse(200, version, ctx.baseUrl, parsePrefer(req.headers.prefer), false);
}

function patchOperations(req: FhirRequest): JsonPatchOperation[] {
  if (!Array.isArray(req.body)) throw fhirErrors.invalidPatch('the body must be a JSON Patch array (application/json-patch+json)');
  return req.body as JsonPatchOperation[];
}

async function remove(ctx: FhirContext, type: string, id: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'd');
  await guardExisting(ctx, type, id);
  await ctx.repo.delete(type, id);
  return { status: 204, headers: {} };
}

/** One may change or delete only what one may see. */
async function guardExisting(ctx: FhirContext, type: string, id: string): Promise<void> {
  if (!ctx.access) return;
  const current = await ctx.repo.read(type, id).catch(() => undefined);
  if (current) await ctx.access.assertVisible(current);
}

/** If-None-Exist holds search parameters; clients also send them as a whole "Type?params", which names the same search. */
export function conditionCriteria(type: string, value: string): string {
  return value.startsWith(`${type}?`) ? value.slice(type.length + 1) : value.replace(/^\?/, '');
}

/** Resolves a conditional interaction's criteria to at most one id (R4 §3.1.0.9–11). */
async function matchOne(ctx: FhirContext, type: string, criteria: URLSearchParams, what: string): Promise<string | undefined> {
  const query = [...criteria.entries()];
  if (query.length === 0) throw fhirErrors.invalidSearchValue(what, '', 'conditional interactions need search criteria');
  const request = parseSearchRequest(ctx.repo.options.searchParameters, type, query, { lenient: false });
  // Criteria that filter nothing would match every resource of the type: a conditional write on
  // "all of them" is refused rather than applied to whichever one happens to exist.
  if (request.filters.length === 0) throw fhirErrors.invalidSearchValue(what, '', 'conditional criteria must include at least one search parameter with a value');
  request.count = 2;
  request.total = 'none';
  const result = await executeSearch(ctx.repo, request, ctx.search);
  if (result.matches.length > 1) throw fhirErrors.multipleMatches(`${what} ${type}?${criteria}`, result.matches.length);
  return result.matches[0]?.id;
}

async function conditionalUpdate(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'u');
  const resource = bodyResource(req, type);
  const prefs = parsePrefer(req.headers.prefer);
  const ifMatch = ifMatchOf(req);
  const criteria = new URLSearchParams(req.query);
  return ctx.repo.withTransaction(async (repo) => {
    await repo.lockCondition(type, criteria.toString());
    const existing = await matchOne({ ...ctx, repo }, type, criteria, 'Conditional update');
    if (existing && resource.id && resource.id !== existing) throw fhirErrors.idMismatch(existing, resource.id);
    if (existing) await guardExisting({ ...ctx, repo }, type, existing);
    await ctx.access?.checkWrite(resource);
    if (!existing && !resource.id) {
      const version = await repo.create(resource);
      return writeResponse(201, version, ctx.baseUrl, prefs, true);
    }
    const { version, created } = await repo.update({ ...resource, id: existing ?? resource.id }, { ifMatch });
    return writeResponse(created ? 201 : 200, version, ctx.baseUrl, prefs, created);
  });
}

async function conditionalDelete(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.access?.checkType(type, 'd');
  const existing = await matchOne(ctx, type, new URLSearchParams(req.query), 'Conditional delete');
  if (existing) await guardExisting(ctx, type, existing);
  if (existing) await ctx.repo.delete(type, existing);
  return { status: 204, headers: {} };
}

async function conditionalPatch(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  const existing = await matchOne(ctx, type, new URLSearchParams(req.query), 'Conditional patch');
  if (!existing) throw fhirErrors.conditionalNoMatch(`Conditional patch ${type}?${new URLSearchParams(req.query)}`);
  return patch(ctx, req, type, existing);
}

async function search(ctx: FhirContext, req: FhirRequest, type: string, query: [string, string][]): Promise<FhirResponse> {
  const lenient = parsePrefer(req.headers.prefer).handling === 'lenient';
  ctx.access?.checkType(type, 's');
  const request = parseSearchRequest(ctx.repo.options.searchParameters, type, query, { lenient });
  if (ctx.access?.boundPatient !== undefined) request.compartment = { type: 'Patient', id: ctx.access.boundPatient };
  const result = await executeSearch(ctx.repo, request, ctx.search);
  await keepVisible(ctx, result);
  return { status: 200, headers: {}, body: searchsetBundle(ctx.baseUrl, type, query, request, result) };
}

async function operation(ctx: FhirContext, req: FhirRequest, code: string, level: OperationLevel, type?: string, id?: string): Promise<FhirResponse> {
  const op = ctx.operations.find(code, level, type);
  if (!op) throw fhirErrors.unknownOperation(code, [type, id].filter(Boolean).join('/') || 'the system');
  if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'HEAD') throw fhirErrors.methodNotAllowed(req.method, `/${req.path}`);
  if (req.method !== 'POST' && op.definition.affectsState) throw fhirErrors.methodNotAllowed(req.method, `/${req.path}`);
  // Paging tokens of an operation's result Bundle belong to the engine, not to the operation's inputs.
  const inputs = req.query.filter(([k]) => k !== '_snapshot' && k !== '_offset');
  const input = readOperationInput(op.definition, inputs, req.method === 'POST' ? req.body : undefined);
  return op.execute(ctx, { resourceType: type, id, input, request: req });
}
