import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { TerminologySource } from '../../terminology/terminology-source.ts';
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

const cache = new Map<string, CadreHierarchy>();

/**
 * The cadre hierarchy in force, found by the terminology service's source like any code system: a
 * steward's stored version of it when there is one (new cadres are added there, not in code), else the
 * one shipped with Huza. It is rebuilt only when the source's key for it changes (a new stored version).
 */
export async function loadCadres(repo: FhirRepository, source: TerminologySource): Promise<CadreHierarchy> {
  const found = await source.find<CodeSystemResource>(repo, 'CodeSystem', cadreSystem);
  if (!found) throw new Error(`The cadre code system ${cadreSystem} is neither stored nor shipped`);
  let hierarchy = cache.get(found.key);
  if (!hierarchy) {
    hierarchy = new CadreHierarchy(found.resource);
    if (cache.size > 50) cache.clear();
    cache.set(found.key, hierarchy);
  }
  return hierarchy;
}
