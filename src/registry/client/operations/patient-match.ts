import { readPackageFile } from '../../../fhir/definitions/examples-package.ts';
import type { OperationDefinition } from '../../../fhir/operations/operation-definition.ts';
import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import type { FhirResource } from '../../../fhir/repository/resource-types.ts';
import type { ClientRegistry } from '../client-registry.ts';
import { personFromPatient } from '../matching/index.ts';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const maxCount = 50;

/**
 * Patient/$match (IHE PDQm ITI-119): the people the registry would link the given demographics to,
 * as golden records, best first, each with a score in [0, 1] and its match grade.
 */
export function patientMatch(registry: ClientRegistry): Operation {
  return {
    definition: readPackageFile<OperationDefinition>('OperationDefinition-Patient-match.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('Patient', 'r');
      const resource = call.input.get('resource')?.[0] as FhirResource | undefined;
      if (!resource || resource.resourceType !== 'Patient') throw fhirErrors.invalidParameter('resource', 'must be a Patient');
      const count = Math.min(Number(call.input.get('count')?.[0] ?? 10), maxCount);
      if (!Number.isInteger(count) || count < 1) throw fhirErrors.invalidParameter('count', 'must be a positive integer');
      const onlyCertain = String(call.input.get('onlyCertainMatches')?.[0] ?? 'false') === 'true';
      const { rules, model } = await registry.settings(ctx.repo);
      const person = personFromPatient(resource);
      const scored = await registry.scoreCandidates(ctx.repo, { ...person, id: '' }, '', model, rules);
      const kept = scored.filter((c) => c.grade !== 'certainly-not' && (!onlyCertain || c.grade === 'certain')).slice(0, count);
      const versions = await ctx.repo.readMany(kept.map((c) => ({ type: 'Patient', id: c.goldenId })));
      const visible = ctx.access ? await ctx.access.visible(versions) : versions;
      const byId = new Map(visible.map((v) => [v.id, v]));
      const span = Math.max(1, rules.autoLinkAbove - rules.reviewAbove);
      const entry = kept.filter((c) => byId.has(c.goldenId)).map((c) => ({
        fullUrl: `${ctx.baseUrl}/Patient/${c.goldenId}`,
        resource: JSON.parse(byId.get(c.goldenId)!.json as string),
        search: {
          mode: 'match',
          // Scores map onto [0, 1] around the rules: the review threshold is 0.5, auto-link ~0.88.
          score: Math.round(1000 / (1 + Math.exp(-4 * (c.comparison.score - rules.reviewAbove) / span))) / 1000,
          extension: [{ url: MATCH_GRADE, valueCode: c.grade }],
        },
      }));
      return { status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: entry.length, entry }) };
    },
  };
}
