import type { SearchResult } from '../search/execute-search.ts';
import type { SearchRequest } from '../search/search-request.ts';
import type { StoredVersion } from '../repository/resource-types.ts';
import { resourceJson } from './resource-response.ts';

/** A searchset Bundle as JSON text; resources are spliced in as stored, without a parse and re-serialise. */
export function searchsetBundle(baseUrl: string, path: string, selfQuery: [string, string][], request: SearchRequest, result: SearchResult): string {
  const links: { relation: string; url: string }[] = [{ relation: 'self', url: link(baseUrl, path, selfQuery) }];
  if (result.snapshot) {
    const paging = (offset: number) => link(baseUrl, path, [
      ['_snapshot', result.snapshot as string], ['_offset', String(offset)], ['_count', String(result.count)], ...request.passThrough,
    ]);
    links.push({ relation: 'first', url: paging(0) });
    if (result.offset > 0) links.push({ relation: 'previous', url: paging(Math.max(0, result.offset - result.count)) });
    if (result.hasNext) links.push({ relation: 'next', url: paging(result.offset + result.count) });
  } else if (result.hasNext || result.offset > 0) {
    const paging = (offset: number) => link(baseUrl, path, [
      ...selfQuery.filter(([k]) => k !== '_offset'), ['_offset', String(offset)],
    ]);
    if (result.offset > 0) links.push({ relation: 'previous', url: paging(Math.max(0, result.offset - result.count)) });
    if (result.hasNext) links.push({ relation: 'next', url: paging(result.offset + result.count) });
  }
  const entries = [
    ...result.matches.map((v) => entry(baseUrl, v, 'match', request)),
    ...result.included.map((v) => entry(baseUrl, v, 'include', request)),
  ];
  if (result.truncatedAt !== undefined) {
    entries.push(JSON.stringify({
      resource: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'warning', code: 'too-costly', diagnostics: `More than ${result.truncatedAt} resources matched; pages stop there. Narrow the search.` }],
      },
      search: { mode: 'outcome' },
    }));
  }
  const head = { resourceType: 'Bundle', type: 'searchset', ...(result.total !== undefined ? { total: result.total } : {}), link: links };
  return `${JSON.stringify(head).slice(0, -1)},"entry":[${entries.join(',')}]}`;
}

function entry(baseUrl: string, version: StoredVersion, mode: 'match' | 'include', request: SearchRequest): string {
  const fullUrl = JSON.stringify(`${baseUrl}/${version.resourceType}/${version.id}`);
  // _elements applies to matches only; included resources come whole (R4 §3.1.1.5.9).
  const json = mode === 'match' ? resourceJson(version, request.summary, request.elements) : resourceJson(version, request.summary);
  return `{"fullUrl":${fullUrl},"resource":${json},"search":{"mode":"${mode}"}}`;
}

export function link(baseUrl: string, path: string, query: [string, string][]): string {
  const qs = new URLSearchParams(query).toString();
  return `${baseUrl}/${path}${qs ? `?${qs}` : ''}`;
}
