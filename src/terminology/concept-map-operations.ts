import { readPackageFile } from '../fhir/definitions/examples-package.ts';
import type { OperationDefinition } from '../fhir/operations/operation-definition.ts';
import { firstString } from '../fhir/operations/operation-parameters.ts';
import type { Operation } from '../fhir/operations/operation-registry.ts';
import { codingsOf, flag, parametersResponse, type OutParameter } from './operation-support.ts';
import { terminologyErrors } from './terminology-errors.ts';
import type { Resolved } from './terminology-source.ts';
import type { TerminologyService } from './terminology-service.ts';
import type { Coding, ConceptMapResource } from './terminology-types.ts';

/** Read backwards, a map from a narrower code is a map to a wider one. */
const reversed: Record<string, string> = { wider: 'narrower', narrower: 'wider', subsumes: 'specializes', specializes: 'subsumes' };
const noMatch = new Set(['unmatched', 'disjoint']);

interface Match {
  equivalence: string;
  concept?: Coding;
  source?: string;
}

/**
 * ConceptMap/$translate: a code's counterparts in another system, from one named map or from every
 * map whose source (target, with reverse) is the code's system.
 */
export function translateOperation(service: TerminologyService): Operation {
  return {
    definition: readPackageFile<OperationDefinition>('OperationDefinition-ConceptMap-translate.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('ConceptMap', 'r');
      const codings = codingsOf(call.input, 'system', 'version');
      if (codings.some((c) => !c.system)) throw terminologyErrors.missing('$translate needs the system of the code', ['system']);
      const named = await service.conceptMap(ctx.repo, call);
      const maps = named ? [named] : await service.source.allConceptMaps(ctx.repo);
      const reverse = flag(call.input, 'reverse') === true;
      const target = firstString(call.input, 'target');
      const targetSystem = firstString(call.input, 'targetsystem');
      const source = firstString(call.input, 'source');
      const matches: Match[] = [];
      for (const map of maps) {
        const scope = scopes(map);
        if (target && (reverse ? scope.source : scope.target) !== target) continue;
        if (source && (reverse ? scope.target : scope.source) !== source) continue;
        for (const coding of codings) matches.push(...translate(map, coding, reverse, targetSystem));
      }
      const result = matches.some((m) => !noMatch.has(m.equivalence));
      const shown = codings.map((c) => `${c.system}|${c.code}`).join(', ');
      return parametersResponse([
        { name: 'result', valueBoolean: result },
        ...(result ? [] : [{ name: 'message', valueString: `No mapping of ${shown}${targetSystem ? ` to ${targetSystem}` : ''} in ${named ? `ConceptMap '${named.resource.url ?? named.resource.id}'` : 'any ConceptMap'}` }]),
        ...matches.map((m): OutParameter => ({
          name: 'match',
          part: [
            { name: 'equivalence', valueCode: m.equivalence },
            ...(m.concept ? [{ name: 'concept', valueCoding: m.concept }] : []),
            ...(m.source ? [{ name: 'source', valueUri: m.source }] : []),
          ],
        })),
      ]);
    },
  };
}

function scopes(map: Resolved<ConceptMapResource>): { source?: string; target?: string } {
  return { source: map.resource.sourceUri ?? map.resource.sourceCanonical, target: map.resource.targetUri ?? map.resource.targetCanonical };
}

function translate(map: Resolved<ConceptMapResource>, coding: Coding, reverse: boolean, targetSystem: string | undefined): Match[] {
  const out: Match[] = [];
  const mapUrl = map.resource.url;
  for (const group of map.resource.group ?? []) {
    const from = reverse ? group.target : group.source;
    const to = reverse ? group.source : group.target;
    if (from !== coding.system || (targetSystem && to !== targetSystem)) continue;
    let found = false;
    for (const element of group.element ?? []) {
      for (const t of element.target ?? []) {
        if (!reverse && element.code === coding.code) {
          found = true;
          out.push({ equivalence: t.equivalence, ...(t.code ? { concept: codingOf(to, t.code, t.display) } : {}), source: mapUrl });
        } else if (reverse && t.code === coding.code && element.code) {
          found = true;
          out.push({ equivalence: reversed[t.equivalence] ?? t.equivalence, concept: codingOf(to, element.code, element.display), source: mapUrl });
        }
      }
    }
    // R4's unmapped: 'provided' means the same code stands in the target system, 'fixed' names one code for everything unmapped.
    if (!found && !reverse && group.unmapped?.mode === 'provided' && coding.code) {
      out.push({ equivalence: 'equal', concept: codingOf(to, coding.code, coding.display), source: mapUrl });
    } else if (!found && !reverse && group.unmapped?.mode === 'fixed' && group.unmapped.code) {
      out.push({ equivalence: 'inexact', concept: codingOf(to, group.unmapped.code, group.unmapped.display), source: mapUrl });
    }
  }
  return out;
}

function codingOf(system: string | undefined, code: string, display: string | undefined): Coding {
  return { ...(system ? { system } : {}), code, ...(display ? { display } : {}) };
}
