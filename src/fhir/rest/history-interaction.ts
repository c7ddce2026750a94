import { parseDateRange } from '../search/date-range.ts';
import { defaultPageSize, maxPageSize } from '../search/search-request.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { readHistory, type HistoryEntry } from '../repository/read-history.ts';
import { FhirError } from '../outcome/fhir-error.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './fhir-request.ts';
import { link } from './search-bundle.ts';

/** history (instance, type or system) with _since, _count and stable paging links. */
export async function historyInteraction(ctx: FhirContext, req: FhirRequest, resourceType?: string, id?: string): Promise<FhirResponse> {
  const get = (name: string) => req.query.find(([k]) => k === name)?.[1];
  const count = Math.min(numberParam('_count', get('_count'), defaultPageSize), maxPageSize);
  const offset = numberParam('_offset', get('_offset'), 0);
  const since = dateParam('_since', get('_since'), 'low');
  const till = dateParam('_till', get('_till'), 'high') ?? new Date();
  if (resourceType) ctx.access?.checkType(resourceType, id ? 'r' : 's');
  if (!id && ctx.access?.boundPatient !== undefined) {
    throw new FhirError(403, [{ severity: 'error', code: 'forbidden', diagnostics: 'A token bound to one patient reads the history of that patient\'s resources one by one' }]);
  }
  if (resourceType && id) {
    const current = await ctx.repo.read(resourceType, id).catch((e: { status?: number }) => {
      if (e.status !== 410) throw e;
    });
    if (current) await ctx.access?.assertVisible(current);
  }
  const history = await readHistory(ctx.repo, { resourceType, id, since, till, count, offset });
  const total = history.total;
  const entries = ctx.access ? await visibleEntries(ctx, history.entries) : history.entries;
  const path = [resourceType, id, '_history'].filter(Boolean).join('/');
  const paging = (o: number) => link(ctx.baseUrl, path, [
    ...(since ? [['_since', since.toISOString()] as [string, string]] : []),
    ['_till', till.toISOString()], ['_count', String(count)], ['_offset', String(o)],
  ]);
  const links = [{ relation: 'self', url: link(ctx.baseUrl, path, req.query) }];
  if (offset > 0) links.push({ relation: 'previous', url: paging(Math.max(0, offset - count)) });
  // _count=0 asks for the total only: a next link would repeat this page forever.
  if (count > 0 && offset + count < total) links.push({ relation: 'next', url: paging(offset + count) });
  const parts = entries.map((e) => {
    const fullUrl = `${ctx.baseUrl}/${e.resourceType}/${e.id}`;
    const request = { method: e.method, url: e.method === 'POST' ? e.resourceType : `${e.resourceType}/${e.id}` };
    const status = e.deleted ? '204' : e.method === 'POST' || e.versionId === 1 ? '201' : '200';
    const response = { status, etag: `W/"${e.versionId}"`, lastModified: e.lastUpdated.toISOString() };
    const resource = e.json ? `"resource":${e.json},` : '';
    return `{"fullUrl":${JSON.stringify(fullUrl)},${resource}"request":${JSON.stringify(request)},"response":${JSON.stringify(response)}}`;
  });
  const head = JSON.stringify({ resourceType: 'Bundle', type: 'history', total, link: links });
  return { status: 200, headers: {}, body: `${head.slice(0, -1)},"entry":[${parts.join(',')}]}` };
}

async function visibleEntries<T extends HistoryEntry>(ctx: FhirContext, entries: T[]): Promise<T[]> {
  const keep = new Set(await (ctx.access as NonNullable<FhirContext['access']>).visible(entries));
  return entries.filter((e) => keep.has(e));
}

function numberParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw fhirErrors.invalidSearchValue(name, value, 'must be a whole number ≥ 0');
  return n;
}

function dateParam(name: string, value: string | undefined, end: 'low' | 'high'): Date | undefined {
  if (value === undefined) return undefined;
  const range = parseDateRange(value);
  if (!range) throw fhirErrors.invalidSearchValue(name, value, 'is not a FHIR instant');
  return range[end];
}
