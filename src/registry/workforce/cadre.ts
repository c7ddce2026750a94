import { readFileSync } from 'node:fs';
import type { Queryable } from '../../db/database.ts';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { CodeSystemConcept, CodeSystemResource } from '../../terminology/terminology-types.ts';

export const cadreSystem = 'https://huza.rw/fhir/CodeSystem/health-worker-cadre';

/** WHO's SDG 3.c index counts these three groups ("doctors, nurses and midwives"). */
export const sdgCadreGroups = ['medical-doctor', 'nurse', 'midwife'] as const;

/**
 * Roles coded only with the HL7 practitioner-role codes or SNOMED (what facility EMRs send, and what
 * older demo data holds) still count in workforce planning under the matching cadre group.
 */
const fallbackGroups: Record<string, string> = {
  'http://terminology.hl7.org/CodeSystem/practitioner-role|doctor': 'medical-doctor',
  'http://terminology.hl7.org/CodeSystem/practitioner-role|nurse': 'nurse',
  'http://terminology.hl7.org/CodeSystem/practitioner-role|pharmacist': 'pharmacist',
  'http://snomed.info/sct|309453006': 'midwife',
};

/** The cadre code system as the planner reads it: every code with its top-level group. */
export class CadreHierarchy {
  readonly groups: { code: string; display: string }[];
  private readonly groupOf = new Map<string, string>();
  private readonly notSelectable = new Set<string>();

  readonly codeSystem: CodeSystemResource;

  constructor(codeSystem: CodeSystemResource) {
    this.codeSystem = codeSystem;
    this.groups = (codeSystem.concept ?? []).map((c) => ({ code: c.code, display: c.display ?? c.code }));
    const walk = (concepts: CodeSystemConcept[], group: string | undefined) => {
      for (const c of concepts) {
        const g = group ?? c.code;
        this.groupOf.set(c.code, g);
        if (c.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean === true)) this.notSelectable.add(c.code);
        walk(c.concept ?? [], g);
      }
    };
    walk(codeSystem.concept ?? [], undefined);
  }

  has(code: string): boolean {
    return this.groupOf.has(code);
  }

  isSelectable(code: string): boolean {
    return !this.notSelectable.has(code);
  }

  /** The group of a coding: its top-level concept in the cadre system, or a known equivalent. */
  group(system: string | undefined, code: string | undefined): string | undefined {
    if (!code) return undefined;
    if (system === cadreSystem) return this.groupOf.get(code);
    return fallbackGroups[`${system}|${code}`];
  }

  /** Groups in the code system's order, so that "the" group of someone holding two is stable. */
  rank(group: string): number {
    const i = this.groups.findIndex((g) => g.code === group);
    return i < 0 ? this.groups.length : i;
  }
}

let shipped: CodeSystemResource | undefined;

function shippedCadres(): CodeSystemResource {
  shipped ??= JSON.parse(readFileSync(new URL('../../terminology/code-systems/CodeSystem-huza-health-worker-cadre.json', import.meta.url), 'utf8')) as CodeSystemResource;
  return shipped;
}

const cache = new Map<string, CadreHierarchy>();

/**
 * The cadre hierarchy in force: a steward's stored version of the code system when there is one (new
 * cadres are added there, not in code), else the one shipped with Huza.
 */
export async function loadCadres(repo: FhirRepository): Promise<CadreHierarchy> {
  const sql: Queryable = repo.sql;
  const rows = await sql.query<{ id: string; version_id: number; last_updated: Date }>(
    `SELECT r.id, r.version_id, r.last_updated FROM sp_uri u JOIN resource r ON r.resource_type = u.resource_type AND r.id = u.resource_id
     WHERE u.resource_type = 'CodeSystem' AND u.param = 'url' AND u.value = $1 AND NOT r.deleted
     ORDER BY r.last_updated DESC LIMIT 1`, [cadreSystem]);
  const row = rows.rows[0];
  const key = row ? `${row.id}/${row.version_id}/${new Date(row.last_updated).getTime()}` : 'shipped';
  let hierarchy = cache.get(key);
  if (!hierarchy) {
    const cs = row ? JSON.parse((await repo.read('CodeSystem', row.id)).json as string) as CodeSystemResource : shippedCadres();
    hierarchy = new CadreHierarchy(cs);
    if (cache.size > 50) cache.clear();
    cache.set(key, hierarchy);
  }
  return hierarchy;
}
