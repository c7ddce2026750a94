import { randomUUID } from 'node:crypto';
import { readPackageFile } from '../fhir/definitions/examples-package.ts';
import type { OperationDefinition } from '../fhir/operations/operation-definition.ts';
import { firstString } from '../fhir/operations/operation-parameters.ts';
import type { Operation } from '../fhir/operations/operation-registry.ts';
import { displayMismatch } from './code-system-operations.ts';
import type { ExpansionItem } from './expander.ts';
import { codingsOf, displayIn, flag, integer, parametersResponse, resourceResponse, type OutParameter } from './operation-support.ts';
import { terminologyErrors } from './terminology-errors.ts';
import type { TerminologyService } from './terminology-service.ts';
import type { CodeSystemResource, ExpansionContains } from './terminology-types.ts';

const definition = (file: string) => readPackageFile<OperationDefinition>(file);

/**
 * ValueSet/$expand: the codes of a value set — filtered by text, paged with offset/count and a total,
 * nested by hierarchy on request (excludeNested=false), displays in a language where designations
 * exist. An expansion larger than the limit must be filtered or paged (too-costly otherwise).
 */
export function expandOperation(service: TerminologyService): Operation {
  return {
    definition: definition('OperationDefinition-ValueSet-expand.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('ValueSet', 'r');
      const vs = await service.valueSet(ctx.repo, call);
      const expansion = await service.expander.expand(ctx.repo, vs);
      const filter = firstString(call.input, 'filter');
      const offset = integer(call.input, 'offset');
      const count = integer(call.input, 'count');
      if (offset !== undefined && offset < 0) throw terminologyErrors.conflicting(`Parameter 'offset': ${offset} is negative`, ['offset']);
      if (count !== undefined && count < 0) throw terminologyErrors.conflicting(`Parameter 'count': ${count} is negative`, ['count']);
      const activeOnly = flag(call.input, 'activeOnly') === true;
      const language = firstString(call.input, 'displayLanguage');
      const withDesignations = flag(call.input, 'includeDesignations') === true;
      const withDefinition = flag(call.input, 'includeDefinition') === true;
      const max = service.options.maxExpansionSize;
      let positions = filter ? expansion.search(filter) : expansion.items.map((_, i) => i);
      if (activeOnly) positions = positions.filter((p) => !expansion.items[p].inactive);
      const total = positions.length;
      const name = vs.resource.url ?? vs.resource.id ?? 'the inline ValueSet';
      if (count === undefined && total > max) throw terminologyErrors.tooCostly(name, total, max);
      const start = offset ?? 0;
      const page = positions.slice(start, start + Math.min(count ?? total, max)).map((p) => expansion.items[p]);
      const entry = (item: ExpansionItem): ExpansionContains & { definition?: string } => ({
        system: item.system,
        ...(item.version ? { version: item.version } : {}),
        code: item.code,
        ...(item.abstract ? { abstract: true } : {}),
        ...(item.inactive ? { inactive: true } : {}),
        display: displayIn(item.display, item.designation, language) ?? item.code,
        ...(withDesignations && item.designation.length > 0 ? { designation: item.designation } : {}),
        ...(withDefinition && item.definition ? { definition: item.definition } : {}),
      });
      const nested = flag(call.input, 'excludeNested') === false && !filter && offset === undefined && count === undefined && !activeOnly;
      const parameter: OutParameter[] = [
        ...(filter !== undefined ? [{ name: 'filter', valueString: filter }] : []),
        ...(offset !== undefined ? [{ name: 'offset', valueInteger: offset }] : []),
        ...(count !== undefined ? [{ name: 'count', valueInteger: count }] : []),
        ...(language ? [{ name: 'displayLanguage', valueCode: language }] : []),
        ...(activeOnly ? [{ name: 'activeOnly', valueBoolean: true }] : []),
        ...uniqueCodeSystems(expansion.dependencies).map((u) => ({ name: 'used-codesystem', valueUri: u })),
      ];
      const { text: _text, ...rest } = vs.resource;
      return resourceResponse({
        ...rest,
        expansion: {
          identifier: `urn:uuid:${randomUUID()}`,
          timestamp: new Date().toISOString(),
          total,
          offset: start,
          ...(parameter.length > 0 ? { parameter } : {}),
          ...(page.length > 0 ? { contains: nested ? nest(page, entry) : page.map(entry) } : {}),
        },
      });
    },
  };
}

/** ValueSet/$validate-code: is the code (coding, or any coding of the concept) in the value set? */
export function valueSetValidateCodeOperation(service: TerminologyService): Operation {
  return {
    definition: definition('OperationDefinition-ValueSet-validate-code.json'),
    async execute(ctx, call) {
      ctx.access?.checkType('ValueSet', 'r');
      const codings = codingsOf(call.input, 'system', 'systemVersion');
      if (codings.some((c) => !c.system)) throw terminologyErrors.missing('A code needs its system to be validated against a ValueSet', ['system']);
      const vs = await service.valueSet(ctx.repo, call);
      const expansion = await service.expander.expand(ctx.repo, vs);
      const abstractAllowed = flag(call.input, 'abstract') === true;
      const display = firstString(call.input, 'display');
      const name = vs.resource.url ?? vs.resource.id ?? 'the inline ValueSet';
      const messages: string[] = [];
      for (const coding of codings) {
        const item = expansion.find(coding.system as string, coding.code as string);
        if (!item) {
          const cs = await service.source.find<CodeSystemResource>(ctx.repo, 'CodeSystem', coding.system as string);
          const known = cs ? service.source.index(cs).get(coding.code as string) : undefined;
          messages.push(cs && !known && cs.resource.content === 'complete'
            ? `Unknown code '${coding.code}' in CodeSystem '${coding.system}'`
            : `The code '${coding.code}' from system '${coding.system}' is not in ValueSet '${name}'`);
          continue;
        }
        if (item.abstract && !abstractAllowed) {
          messages.push(`Code '${item.code}' is abstract: it groups codes and is not for use on its own here`);
          continue;
        }
        const wrong = displayMismatch(item, coding.display ?? display);
        if (wrong) {
          messages.push(wrong);
          continue;
        }
        return parametersResponse([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: item.display ?? item.code }]);
      }
      return parametersResponse([{ name: 'result', valueBoolean: false }, { name: 'message', valueString: messages.join('; ') }]);
    },
  };
}

function uniqueCodeSystems(dependencies: { type: string; url: string; key: string }[]): string[] {
  return [...new Set(dependencies.filter((d) => d.type === 'CodeSystem' && d.key !== 'absent').map((d) => d.url))];
}

/** Hierarchical expansion: each concept under its parent when the parent is in the expansion too. */
function nest(items: ExpansionItem[], entry: (item: ExpansionItem) => ExpansionContains): ExpansionContains[] {
  const nodes = new Map(items.map((item) => [`${item.system}|${item.code}`, { ...entry(item) } as ExpansionContains]));
  const roots: ExpansionContains[] = [];
  for (const item of items) {
    const node = nodes.get(`${item.system}|${item.code}`) as ExpansionContains;
    const parent = item.parentCodes.map((c) => nodes.get(`${item.system}|${c}`)).find((n) => n !== undefined);
    if (parent) (parent.contains ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}
