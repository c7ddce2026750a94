import { randomUUID } from 'node:crypto';
import { isResourceType } from '../definitions/structure-definitions.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { FhirError } from '../outcome/fhir-error.ts';
import { newResourceId } from '../repository/new-resource-id.ts';
import type { FhirResource } from '../repository/resource-types.ts';
import { executeSearch } from '../search/execute-search.ts';
import { parseSearchRequest } from '../search/parse-search-request.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../rest/fhir-request.ts';
import { conditionCriteria, handleFhirRequest } from '../rest/handle-fhir-request.ts';
import { parsePrefer } from '../rest/prefer.ts';
import { outcomeResponse } from '../rest/resource-response.ts';
import type { Bundle, BundleEntry, ResponseEntry } from './bundle-types.ts';
import { conditionalReferences, rewriteReferences } from './rewrite-references.ts';

export const maxBundleEntries = 10_000;

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof methods)[number];
/** Transaction processing order (R4 §3.1.0.11.2): deletes, creates, updates and patches, then reads. */
const order: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

const statusText: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found',
  409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 422: 'Unprocessable Entity',
};

interface PreparedEntry {
  index: number;
  method: Method;
  request: FhirRequest;
  /** For POST: the id this entry's resource gets. */
  assignedId?: string;
  /** A conditional create whose If-None-Exist matched: the entry became a read of this resource. */
  existing?: string;
  /** The [base] of the entry's fullUrl when it is a RESTful URL: relative references inside resolve against it. */
  fullUrlBase?: string;
  /** A batch entry that could not even be read: it fails alone. */
  error?: FhirError;
}

/** POST [base] with a batch or transaction Bundle. */
export async function processBundle(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  const bundle = req.body as Bundle;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') throw fhirErrors.invalidBundle('POST to the base takes a Bundle of type batch or transaction', ['Bundle']);
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') throw fhirErrors.invalidBundle(`Bundle.type must be batch or transaction, not '${bundle.type}'`, ['Bundle.type']);
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw fhirErrors.invalidBundle('Bundle.entry must be an array', ['Bundle.entry']);
  if (entries.length > maxBundleEntries) throw fhirErrors.invalidBundle(`A Bundle may carry at most ${maxBundleEntries} entries; this one has ${entries.length}`, ['Bundle.entry']);
  if (bundle.type === 'transaction') {
    const prepared = entries.map((e, i) => prepareEntry(e, i, req, ctx.baseUrl));
    return transaction(ctx, req, entries, prepared);
  }
  // A batch entry that cannot be read fails on its own; the other entries still run.
  const prepared = entries.map((e, i): PreparedEntry => {
    try {
      return prepareEntry(e, i, req, ctx.baseUrl);
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      return { index: i, method: 'GET', request: { method: 'GET', path: '', query: [], headers: {} }, error };
    }
  });
  return batch(ctx, req, entries, prepared);
}

function prepareEntry(entry: BundleEntry, index: number, outer: FhirRequest, baseUrl: string): PreparedEntry {
  const where = `Bundle.entry[${index}]`;
  if (entry === null || typeof entry !== 'object') throw fhirErrors.invalidBundle(`${where} must be an object`, [where]);
  const method = entry.request?.method?.toUpperCase() as Method | undefined;
  if (!method || !methods.includes(method)) throw fhirErrors.invalidBundle(`${where}.request.method must be one of ${methods.join(', ')}`, [`${where}.request.method`]);
  let url = entry.request?.url;
  if (!url || typeof url !== 'string') throw fhirErrors.invalidBundle(`${where}.request.url is required`, [`${where}.request.url`]);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) {
    // request.url is relative to the base (R4 Bundle.entry.request.url); an absolute one must name this server.
    if (!url.startsWith(`${baseUrl}/`)) throw fhirErrors.invalidBundle(`${where}.request.url '${url}' must be relative to the server base`, [`${where}.request.url`]);
    url = url.slice(baseUrl.length + 1);
  }
  const question = url.indexOf('?');
  const path = (question >= 0 ? url.slice(0, question) : url).replace(/^\/+/, '');
  const qs = question >= 0 ? url.slice(question + 1) : '';
  let body: unknown = entry.resource;
  if (method === 'PATCH') body = patchBody(entry, where);
  if ((method === 'POST' || method === 'PUT') && (body === undefined || body === null)) throw fhirErrors.invalidBundle(`${where}.resource is required for ${method}`, [`${where}.resource`]);
  if (method === 'POST' && path.split('/').filter(Boolean).length === 0) throw fhirErrors.invalidBundle(`${where}: a batch or transaction cannot be nested`, [`${where}.request.url`]);
  const fullUrlBase = typeof entry.fullUrl === 'string' ? /^(https?:\/\/.+)\/[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.exec(entry.fullUrl)?.[1] : undefined;
  return {
    index,
    method,
    fullUrlBase,
    request: {
      method,
      path,
      query: [...new URLSearchParams(qs).entries()],
      headers: {
        ifMatch: entry.request?.ifMatch, ifNoneExist: entry.request?.ifNoneExist, ifNoneMatch: entry.request?.ifNoneMatch,
        ifModifiedSince: entry.request?.ifModifiedSince, prefer: outer.headers.prefer,
        contentType: method === 'PATCH' ? 'application/json-patch+json' : 'application/fhir+json',
      },
      body,
    },
  };
}

/** In a Bundle a JSON Patch travels as a Binary resource (R4 §3.1.0.7.1). */
function patchBody(entry: BundleEntry, where: string): unknown {
  const r = entry.resource as (FhirResource & { contentType?: string; data?: string }) | undefined;
  if (r?.resourceType !== 'Binary' || !r.data) throw fhirErrors.invalidBundle(`${where}: PATCH takes a Binary resource whose data is a JSON Patch`, [`${where}.resource`]);
  try {
    return JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
  } catch {
    throw fhirErrors.invalidBundle(`${where}: the Binary's data is not a JSON Patch document`, [`${where}.resource.data`]);
  }
}

function assertDistinctTargets(prepared: PreparedEntry[]): void {
  // Two entries writing the same resource make the outcome depend on order, which the spec forbids.
  const targets = new Map<string, number>();
  for (const p of prepared) {
    if (p.method === 'GET' || p.method === 'HEAD' || p.method === 'POST' || p.request.query.length > 0) continue;
    const key = p.request.path;
    if (targets.has(key)) throw fhirErrors.invalidBundle(`Bundle.entry[${targets.get(key)}] and Bundle.entry[${p.index}] both change ${key}`, [`Bundle.entry[${p.index}].request.url`]);
    targets.set(key, p.index);
  }
}

async function transaction(ctx: FhirContext, req: FhirRequest, entries: BundleEntry[], prepared: PreparedEntry[]): Promise<FhirResponse> {
  assertDistinctTargets(prepared);
  const responses = await ctx.repo.withTransaction(async (repo) => {
    const txCtx: FhirContext = { ...ctx, repo };
    const out: ResponseEntry[] = new Array(prepared.length);
    const run = async (p: PreparedEntry, ids: Map<string, string>) => {
      if (p.request.body && p.method !== 'PATCH') p.request.body = rewriteReferences(p.request.body, ids, p.fullUrlBase);
      const response = await runEntry(txCtx, p);
      if (response.status >= 400) throw entryError(p.index, response);
      if (p.existing && response.headers.ETag) {
        response.headers.Location ??= `${p.existing}/_history/${/\d+/.exec(response.headers.ETag)?.[0]}`;
      }
      out[p.index] = responseEntry(response, ctx.baseUrl);
    };
    const sorted = [...prepared].sort((a, b) => order[a.method] - order[b.method] || a.index - b.index);
    // Deletes carry no references, so they run before conditional creates, conditional updates and
    // conditional references are resolved: those then see the store as the deletes left it.
    for (const p of sorted.filter((e) => e.method === 'DELETE')) await run(p, new Map());
    const ids = await resolveIdentities(txCtx, entries, prepared);
    // Conditional updates now name their target: check again.
    assertDistinctTargets(prepared);
    for (const p of sorted.filter((e) => e.method !== 'DELETE')) await run(p, ids);
    return out;
  }).catch((error: unknown) => {
    if (error instanceof FhirError) return error;
    throw error;
  });
  if (responses instanceof FhirError) return outcomeResponse(responses.status, responses.toOperationOutcome());
  return bundleResponse('transaction-response', responses);
}

async function batch(ctx: FhirContext, _req: FhirRequest, _entries: BundleEntry[], prepared: PreparedEntry[]): Promise<FhirResponse> {
  const out: ResponseEntry[] = [];
  for (const p of prepared) {
    if (p.error) {
      out.push(responseEntry(outcomeResponse(p.error.status, p.error.toOperationOutcome()), ctx.baseUrl));
      continue;
    }
    // Each batch entry stands alone: its own transaction, its own success or failure.
    const response = await ctx.repo.withTransaction((repo) => runEntry({ ...ctx, repo }, p)).catch((error: unknown) => {
      if (error instanceof FhirError) return outcomeResponse(error.status, error.toOperationOutcome());
      throw error;
    });
    out.push(responseEntry(response, ctx.baseUrl));
  }
  return bundleResponse('batch-response', out);
}

/**
 * Gives each POST entry its id before anything is written, runs conditional creates' If-None-Exist
 * and resolves conditional references, so that every reference can be rewritten up front.
 */
async function resolveIdentities(ctx: FhirContext, entries: BundleEntry[], prepared: PreparedEntry[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // Conditional creates and updates lock their criteria till commit, all up front and in one order,
  // so that two transactions holding some of the same criteria cannot deadlock.
  const conditions = new Set<string>();
  for (const p of prepared) {
    const type = p.request.path.split('/')[0];
    if (p.method === 'POST' && p.request.headers.ifNoneExist) conditions.add(`${type}\n${conditionCriteria(type, p.request.headers.ifNoneExist)}`);
    if (p.method === 'PUT' && p.request.path === type && p.request.query.length > 0) conditions.add(`${type}\n${new URLSearchParams(p.request.query)}`);
  }
  for (const condition of [...conditions].sort()) {
    const [type, criteria] = condition.split('\n');
    await ctx.repo.lockCondition(type, criteria);
  }
  for (const p of prepared) {
    const entry = entries[p.index];
    const type = p.request.path.split('/')[0];
    if (p.method === 'POST' && isResourceType(type)) {
      let id: string | undefined;
      if (p.request.headers.ifNoneExist) {
        id = await atEntry(p.index, 'request.ifNoneExist', () =>
          matchAtMostOne(ctx, type, p.request.headers.ifNoneExist as string, `Bundle.entry[${p.index}].request.ifNoneExist`));
        if (id) {
          p.request = { ...p.request, method: 'GET', path: `${type}/${id}`, body: undefined, headers: {}, query: [] };
          p.existing = `${type}/${id}`;
        }
      }
      p.assignedId = id ? undefined : newResourceId();
      if (entry.fullUrl) ids.set(entry.fullUrl, `${type}/${id ?? p.assignedId}`);
    } else if (p.method === 'PUT' && p.request.path === type && isResourceType(type) && p.request.query.length > 0) {
      // A conditional update gets its target now, so that other entries may refer to it by its fullUrl.
      const body = p.request.body as FhirResource | undefined;
      const criteria = new URLSearchParams(p.request.query).toString();
      const match = await atEntry(p.index, 'request.url', () => matchAtMostOne(ctx, type, criteria, `Bundle.entry[${p.index}].request.url ${type}?${criteria}`));
      if (match && body?.id !== undefined && body.id !== match) continue; // refused when it runs: the ids differ
      const id = match ?? (typeof body?.id === 'string' ? body.id : newResourceId());
      p.request = { ...p.request, path: `${type}/${id}`, query: [], body: { ...body, id } };
      if (entry.fullUrl) ids.set(entry.fullUrl, `${type}/${id}`);
    } else if (p.method === 'PUT' && entry.fullUrl && /^[A-Z][A-Za-z]+\/[^/?]+$/.test(p.request.path)) {
      ids.set(entry.fullUrl, p.request.path);
    }
  }
  for (const p of prepared) {
    if (!p.request.body || p.method === 'PATCH') continue;
    for (const ref of conditionalReferences(p.request.body)) {
      if (ids.has(ref)) continue;
      const question = ref.indexOf('?');
      const type = ref.slice(0, question);
      const criteria = ref.slice(question + 1);
      const what = `Conditional reference ${ref} in Bundle.entry[${p.index}]`;
      const id = await atEntry(p.index, 'resource', () => matchAtMostOne(ctx, type, criteria, what));
      if (!id) throw fhirErrors.conditionalNoMatch(what);
      ids.set(ref, `${type}/${id}`);
    }
  }
  return ids;
}

/** Runs one entry's look-up; an error that does not say which entry it came from is made to. */
async function atEntry<T>(index: number, element: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof FhirError) || error.message.includes(`Bundle.entry[${index}]`)) throw error;
    throw new FhirError(error.status, error.issues.map((issue) => ({
      ...issue,
      diagnostics: `Bundle.entry[${index}]: ${issue.diagnostics ?? issue.code}`,
      expression: [`Bundle.entry[${index}].${element}`],
    })));
  }
}

async function matchAtMostOne(ctx: FhirContext, type: string, criteria: string, what: string): Promise<string | undefined> {
  if (!isResourceType(type)) throw fhirErrors.unknownResourceType(type);
  const request = parseSearchRequest(ctx.repo.options.searchParameters, type, [...new URLSearchParams(conditionCriteria(type, criteria)).entries()], { lenient: false });
  // Criteria that filter nothing would match every resource of the type: a conditional write on
  // "all of them" is refused rather than applied to whichever one happens to exist.
  if (request.filters.length === 0) throw fhirErrors.invalidSearchValue(what, '', 'conditional criteria must include at least one search parameter with a value');
  request.count = 2;
  request.total = 'none';
  const result = await executeSearch(ctx.repo, request, ctx.search);
  if (result.matches.length > 1) throw fhirErrors.multipleMatches(what, result.matches.length);
  return result.matches[0]?.id;
}

async function runEntry(ctx: FhirContext, p: PreparedEntry): Promise<FhirResponse> {
  if (p.method === 'POST' && p.assignedId) {
    const body = p.request.body as FhirResource;
    const type = p.request.path.split('/')[0];
    if (p.request.path !== type || !isResourceType(type)) return handleFhirRequest(ctx, p.request);
    if (body?.resourceType !== type) return outcomeResponse(400, fhirErrors.typeMismatch(type, String(body?.resourceType)).toOperationOutcome());
    try {
      ctx.access?.checkType(type, 'c');
      await ctx.access?.checkWrite(body);
      const version = await ctx.repo.create(body, { id: p.assignedId });
      const prefs = parsePrefer(p.request.headers.prefer);
      return {
        status: 201,
        headers: { Location: `${type}/${version.id}/_history/${version.versionId}`, ETag: `W/"${version.versionId}"`, 'Last-Modified': version.lastUpdated.toUTCString() },
        body: prefs.return === 'minimal' ? undefined : (version.json as string),
      };
    } catch (error) {
      if (error instanceof FhirError) return outcomeResponse(error.status, error.toOperationOutcome());
      throw error;
    }
  }
  return handleFhirRequest(ctx, p.request);
}

function entryError(index: number, response: FhirResponse): FhirError {
  const outcome = JSON.parse(response.body ?? '{"issue":[]}') as { issue: FhirError['issues'] };
  return new FhirError(response.status, outcome.issue.map((issue) => ({
    ...issue,
    diagnostics: `Bundle.entry[${index}]: ${issue.diagnostics ?? issue.code}`,
    expression: (issue.expression ?? ['']).map((e) => `Bundle.entry[${index}].resource${e ? `.${e.replace(/^[A-Z][A-Za-z]+\.?/, '')}` : ''}`.replace(/\.$/, '')),
  })));
}

function responseEntry(response: FhirResponse, baseUrl: string): ResponseEntry {
  const location = response.headers.Location;
  const relative = location?.startsWith(baseUrl) ? location.slice(baseUrl.length + 1) : location;
  const body = response.body ? JSON.parse(response.body) as FhirResource : undefined;
  const isOutcome = body?.resourceType === 'OperationOutcome' && response.status >= 400;
  const lastModified = response.headers['Last-Modified'];
  return {
    ...(relative ? { fullUrl: `${baseUrl}/${relative.replace(/\/_history\/.*$/, '')}` } : {}),
    ...(body && !isOutcome ? { resource: body } : {}),
    response: {
      status: `${response.status} ${statusText[response.status] ?? ''}`.trim(),
      ...(relative ? { location: relative } : {}),
      ...(response.headers.ETag ? { etag: response.headers.ETag } : {}),
      ...(lastModified ? { lastModified: new Date(lastModified).toISOString() } : {}),
      ...(isOutcome ? { outcome: body } : {}),
    },
  };
}

function bundleResponse(type: 'batch-response' | 'transaction-response', entries: ResponseEntry[]): FhirResponse {
  return { status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Bundle', id: randomUUID(), type, entry: entries }) };
}
