import { readPackageFile } from '../fhir/definitions/examples-package.ts';
import type { OperationDefinition } from '../fhir/operations/operation-definition.ts';
import { firstString } from '../fhir/operations/operation-parameters.ts';
import type { Operation } from '../fhir/operations/operation-registry.ts';
import { codingInput, codingsOf, designationParts, displayIn, parametersResponse, type OutParameter } from './operation-support.ts';
import { terminologyErrors } from './terminology-errors.ts';
import type { TerminologyService } from './terminology-service.ts';
import type { ConceptProperty } from './terminology-types.ts';

const definition = (file: string) => readPackageFile<OperationDefinition>(file);

/** CodeSystem/$lookup: what a code means — display, definition, designations and properties, parent and child included. */
export function lookupOperation(service: TerminologyService): Operation {
  return {
    definition: definition('OperationDefinition-CodeSystem-lookup.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('CodeSystem', 'r');
      const [coding] = codingsOf(call.input, 'system', 'version');
      if (!coding.system) throw terminologyErrors.missing('$lookup needs system with code, or a coding with a system', ['system']);
      const cs = await service.codeSystem(ctx.repo, call, coding.system, coding.version);
      const index = service.source.index(cs);
      const concept = index.get(coding.code as string);
      if (!concept) throw terminologyErrors.unknownCode(coding.system, coding.code as string);
      const wanted = call.input.get('property')?.map(String);
      const want = (code: string) => !wanted || wanted.includes(code);
      const language = firstString(call.input, 'displayLanguage');
      const properties: OutParameter[] = [
        ...concept.property.filter((p) => want(p.code)).map(propertyParameter),
        ...(want('parent') ? concept.parents.map((p) => propertyParameter({ code: 'parent', valueCode: index.concepts[p].code })) : []),
        ...(want('child') ? concept.children.map((p) => propertyParameter({ code: 'child', valueCode: index.concepts[p].code })) : []),
        ...(want('inactive') && !concept.property.some((p) => p.code === 'inactive') ? [propertyParameter({ code: 'inactive', valueBoolean: concept.inactive })] : []),
      ];
      return parametersResponse([
        { name: 'name', valueString: cs.resource.name ?? cs.resource.title ?? cs.resource.url },
        ...(cs.resource.version ? [{ name: 'version', valueString: cs.resource.version }] : []),
        { name: 'display', valueString: displayIn(concept.display, concept.designation, language) ?? concept.code },
        ...(concept.definition && want('definition') ? [{ name: 'definition', valueString: concept.definition }] : []),
        ...(want('designation') ? designationParts(concept.designation) : []),
        ...(concept.abstract ? [{ name: 'abstract', valueBoolean: true }] : []),
        ...properties,
      ]);
    },
  };
}

/** CodeSystem/$validate-code: is the code in the code system, and is the display one of its names? */
export function codeSystemValidateCodeOperation(service: TerminologyService): Operation {
  return {
    definition: definition('OperationDefinition-CodeSystem-validate-code.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('CodeSystem', 'r');
      const codings = codingsOf(call.input, 'url', 'version');
      const url = firstString(call.input, 'url') ?? codings.find((c) => c.system)?.system;
      if (!call.id && !url && !call.input.has('codeSystem')) throw terminologyErrors.missing('Name the CodeSystem: url, coding.system, codeSystem or CodeSystem/[id]/$validate-code', ['url']);
      const cs = await service.codeSystem(ctx.repo, call, url, firstString(call.input, 'version'), call.input.get('codeSystem')?.[0]);
      const index = service.source.index(cs);
      const display = firstString(call.input, 'display');
      const messages: string[] = [];
      for (const coding of codings) {
        if (coding.system && cs.resource.url && coding.system !== cs.resource.url) {
          messages.push(`Coding system '${coding.system}' is not CodeSystem '${cs.resource.url}'`);
          continue;
        }
        const concept = index.get(coding.code as string);
        if (!concept) {
          messages.push(`Unknown code '${coding.code}' in CodeSystem '${cs.resource.url ?? cs.resource.id}'`);
          continue;
        }
        const wrong = displayMismatch(concept, coding.display ?? display);
        if (wrong) {
          messages.push(wrong);
          continue;
        }
        return parametersResponse([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: concept.display ?? concept.code }]);
      }
      return parametersResponse([{ name: 'result', valueBoolean: false }, { name: 'message', valueString: messages.join('; ') }]);
    },
  };
}

/** CodeSystem/$subsumes: how two codes of one hierarchical code system relate. */
export function subsumesOperation(service: TerminologyService): Operation {
  return {
    definition: definition('OperationDefinition-CodeSystem-subsumes.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('CodeSystem', 'r');
      const codeA = firstString(call.input, 'codeA');
      const codeB = firstString(call.input, 'codeB');
      const codingA = codingInput(call.input, 'codingA');
      const codingB = codingInput(call.input, 'codingB');
      if ((codeA !== undefined && codingA) || (codeB !== undefined && codingB)) {
        throw terminologyErrors.conflicting('Give codeA/codeB or codingA/codingB, not both for the same side', ['codeA', 'codingA']);
      }
      const a = codingA ?? (codeA !== undefined ? { code: codeA } : undefined);
      const b = codingB ?? (codeB !== undefined ? { code: codeB } : undefined);
      if (!a?.code || !b?.code) throw terminologyErrors.missing('$subsumes needs codeA and codeB (or codingA and codingB)', ['codeA', 'codeB']);
      const system = firstString(call.input, 'system');
      const systems = new Set([system, a.system, b.system].filter((s) => s !== undefined));
      if (systems.size > 1) throw terminologyErrors.conflicting(`$subsumes compares codes of one code system, not ${[...systems].join(' and ')}`, ['system']);
      const url = [...systems][0];
      if (!call.id && !url) throw terminologyErrors.missing('$subsumes needs system (or codings with a system, or CodeSystem/[id]/$subsumes)', ['system']);
      const cs = await service.codeSystem(ctx.repo, call, url, firstString(call.input, 'version'));
      const index = service.source.index(cs);
      const csUrl = cs.resource.url ?? url ?? '';
      const pa = index.position(a.code);
      if (pa === undefined) throw terminologyErrors.unknownCode(csUrl, a.code, codingA ? 'codingA' : 'codeA');
      const pb = index.position(b.code);
      if (pb === undefined) throw terminologyErrors.unknownCode(csUrl, b.code, codingB ? 'codingB' : 'codeB');
      return parametersResponse([{ name: 'outcome', valueCode: index.subsumption(pa, pb) }]);
    },
  };
}

/** A display is right when it is the concept's display or one of its designations (any language). */
export function displayMismatch(concept: { code: string; display?: string; designation: { value: string }[] }, display: string | undefined): string | undefined {
  if (display === undefined || concept.display === undefined) return undefined;
  const names = [concept.display, ...concept.designation.map((d) => d.value)].map((n) => n.toLowerCase());
  if (names.includes(display.toLowerCase())) return undefined;
  return `Display '${display}' is not a name of code '${concept.code}': expected '${concept.display}'`;
}

function propertyParameter(p: ConceptProperty): OutParameter {
  const valueKey = Object.keys(p).find((k) => k.startsWith('value')) as keyof ConceptProperty | undefined;
  return { name: 'property', part: [{ name: 'code', valueCode: p.code }, ...(valueKey ? [{ name: 'value', [valueKey]: p[valueKey] }] : [])] };
}
