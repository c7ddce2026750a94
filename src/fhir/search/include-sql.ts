import type { FhirRepository } from '../repository/fhir-repository.ts';
import type { StoredVersion } from '../repository/resource-types.ts';
import type { IncludeSpec } from './search-request.ts';

const maxIterations = 4;
const key = (v: { resourceType: string; id: string }) => `${v.resourceType}/${v.id}`;

/**
 * _include and _revinclude: follows reference index rows from the page's matches, and with :iterate
 * from what was included, until nothing new turns up (bounded, since graphs can be cyclic).
 */
export async function resolveIncludes(
  repo: FhirRepository,
  matches: StoredVersion[],
  include: IncludeSpec[],
  revinclude: IncludeSpec[],
): Promise<StoredVersion[]> {
  if (matches.length === 0 || (include.length === 0 && revinclude.length === 0)) return [];
  const seen = new Set(matches.map(key));
  const included: StoredVersion[] = [];
  let frontier = matches;
  for (let round = 0; round < maxIterations && frontier.length > 0; round++) {
    const specsNow = (specs: IncludeSpec[]) => (round === 0 ? specs : specs.filter((s) => s.iterate));
    const refs = [
      ...(await forwardTargets(repo, frontier, specsNow(include))),
      ...(await reverseSources(repo, frontier, specsNow(revinclude))),
    ].filter((r) => !seen.has(key({ resourceType: r.type, id: r.id })));
    for (const r of refs) seen.add(key({ resourceType: r.type, id: r.id }));
    frontier = await repo.readMany(refs);
    included.push(...frontier);
  }
  return included;
}

async function forwardTargets(repo: FhirRepository, from: StoredVersion[], specs: IncludeSpec[]): Promise<{ type: string; id: string }[]> {
  const out: { type: string; id: string }[] = [];
  for (const spec of specs) {
    const sources = from.filter((v) => spec.sourceType === '*' || v.resourceType === spec.sourceType);
    if (sources.length === 0) continue;
    const result = await repo.sql.query<{ target_type: string; target_id: string }>(
      `SELECT DISTINCT target_type, target_id FROM sp_reference s
       JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON s.resource_type = k.t AND s.resource_id = k.i
       WHERE target_id IS NOT NULL AND ($3::text IS NULL OR param = $3) AND ($4::text IS NULL OR target_type = $4)`,
      [sources.map((v) => v.resourceType), sources.map((v) => v.id), spec.param ?? null, spec.targetType ?? null]);
    out.push(...result.rows.map((r) => ({ type: r.target_type, id: r.target_id })));
  }
  return out;
}

async function reverseSources(repo: FhirRepository, to: StoredVersion[], specs: IncludeSpec[]): Promise<{ type: string; id: string }[]> {
  const out: { type: string; id: string }[] = [];
  for (const spec of specs) {
    const result = await repo.sql.query<{ resource_type: string; resource_id: string }>(
      `SELECT DISTINCT s.resource_type, s.resource_id FROM sp_reference s
       JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON s.target_type = k.t AND s.target_id = k.i
       WHERE ($3::text = '*' OR s.resource_type = $3) AND ($4::text IS NULL OR s.param = $4)`,
      [to.map((v) => v.resourceType), to.map((v) => v.id), spec.sourceType, spec.param ?? null]);
    out.push(...result.rows.map((r) => ({ type: r.resource_type, id: r.resource_id })));
  }
  return out;
}
