import type { SearchResult } from '../search/execute-search.ts';
import type { FhirContext } from './fhir-request.ts';

/** Drops from a result page what the caller may not see; a total that counted those no longer holds. */
export async function keepVisible(ctx: FhirContext, result: SearchResult): Promise<void> {
  if (!ctx.access) return;
  const matches = await ctx.access.visible(result.matches);
  if (matches.length !== result.matches.length) result.total = undefined;
  result.matches = matches;
  result.included = await ctx.access.visible(result.included);
}
