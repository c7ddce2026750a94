import type { Resource } from './types.ts';

export interface CodeSystemSummary extends Resource {
  resourceType: 'CodeSystem';
  url?: string;
  name?: string;
  title?: string;
  version?: string;
  status?: string;
  count?: number;
  publisher?: string;
}

export interface ExpansionEntry { system?: string; code?: string; display?: string; abstract?: boolean; inactive?: boolean; contains?: ExpansionEntry[] }
export interface ValueSetExpansion extends Resource {
  resourceType: 'ValueSet';
  expansion?: { total?: number; offset?: number; contains?: ExpansionEntry[] };
}

export const codeSystemListQuery = 'CodeSystem?_count=100&_sort=title&_elements=url,name,title,version,status,count,publisher';

/**
 * The $expand request for browsing one code system: an inline value set of the whole system,
 * filtered by the text typed, one page, displays in the reader's language where designations exist.
 */
export function browseExpansion(system: string, filter: string, language: string, count = 50, offset = 0) {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system }] } } },
      ...(filter.trim() ? [{ name: 'filter', valueString: filter.trim() }] : []),
      { name: 'count', valueInteger: count },
      { name: 'offset', valueInteger: offset },
      { name: 'displayLanguage', valueCode: language },
    ],
  };
}

export function codeSystemLabel(cs: CodeSystemSummary): string {
  return cs.title ?? cs.name ?? cs.url ?? cs.id ?? '';
}

/** Flat rows of an expansion (nested concepts included, in order). */
export function expansionRows(vs: ValueSetExpansion): ExpansionEntry[] {
  const out: ExpansionEntry[] = [];
  const walk = (entries: ExpansionEntry[] | undefined) => {
    for (const e of entries ?? []) {
      out.push(e);
      walk(e.contains);
    }
  };
  walk(vs.expansion?.contains);
  return out;
}
