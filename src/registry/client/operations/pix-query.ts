import type { OperationDefinition } from '../../../fhir/operations/operation-definition.ts';
import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import { FhirError } from '../../../fhir/outcome/fhir-error.ts';
import { firstString } from '../../../fhir/operations/operation-parameters.ts';
import type { ClientRegistry } from '../client-registry.ts';
import { isGoldenRecord } from '../golden-record.ts';
import { registryStore } from '../registry-store.ts';

const definition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  url: 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix',
  name: 'IHE_PIXm_pix', title: 'PIXm Query (ITI-83)', status: 'active', kind: 'operation', code: 'ihe-pix',
  system: false, type: true, instance: false, resource: ['Patient'], affectsState: false,
  parameter: [
    { name: 'sourceIdentifier', use: 'in', min: 1, max: '1', type: 'string' },
    { name: 'targetSystem', use: 'in', min: 0, max: '*', type: 'uri' },
    { name: 'targetIdentifier', use: 'out', min: 0, max: '*', type: 'Identifier' },
    { name: 'targetId', use: 'out', min: 0, max: '*', type: 'Reference' },
  ],
};

interface Identifier { system?: string; value?: string; use?: string }

/** Patient/$ihe-pix (IHE PIXm ITI-83): every identifier and record the registry links to one identifier. */
export function pixQuery(registry: ClientRegistry): Operation {
  return {
    definition,
    async execute(ctx, call) {
      ctx.access?.checkType('Patient', 'r');
      const raw = firstString(call.input, 'sourceIdentifier') ?? '';
      const bar = raw.indexOf('|');
      if (bar <= 0 || bar === raw.length - 1) throw fhirErrors.invalidParameter('sourceIdentifier', 'must be system|value');
      const system = raw.slice(0, bar);
      const value = raw.slice(bar + 1);
      if (!(await registry.authorities.find(ctx.repo, system))) {
        throw new FhirError(400, [{ severity: 'error', code: 'code-invalid', diagnostics: `sourceIdentifier Assigning Authority not found: ${system}`, expression: ['sourceIdentifier'] }]);
      }
      const targetSystems = call.input.get('targetSystem')?.map(String) ?? [];
      for (const t of targetSystems) {
        if (!(await registry.authorities.find(ctx.repo, t))) {
          throw new FhirError(403, [{ severity: 'error', code: 'code-invalid', diagnostics: `targetSystem not found: ${t}`, expression: ['targetSystem'] }]);
        }
      }
      const holders = await registryStore.holdersOf(ctx.repo.sql, system, value, '');
      const linked = await registryStore.linksOfSources(ctx.repo.sql, holders);
      // A holder is either a source record (linked to its person) or a person's golden record itself.
      const goldenHolders = (await registryStore.linksOfGoldens(ctx.repo.sql, holders)).map((l) => l.golden_id);
      const goldenIds = new Set([...linked.map((l) => l.golden_id), ...goldenHolders]);
      if (goldenIds.size === 0) throw new FhirError(404, [{ severity: 'error', code: 'not-found', diagnostics: `sourceIdentifier not found: ${raw}`, expression: ['sourceIdentifier'] }]);
      const sources = await registryStore.linksOfGoldens(ctx.repo.sql, [...goldenIds]);
      let versions = await ctx.repo.readMany([...new Set([...goldenIds, ...sources.map((s) => s.source_id)])].map((id) => ({ type: 'Patient', id })));
      if (ctx.access) versions = await ctx.access.visible(versions);
      const parameter: unknown[] = [];
      const seen = new Set<string>([`${system}|${value}`]);
      for (const v of versions) {
        const patient = JSON.parse(v.json as string) as { identifier?: Identifier[] };
        if (targetSystems.length === 0 || !isGoldenRecord(patient as never)) parameter.push({ name: 'targetId', valueReference: { reference: `Patient/${v.id}` } });
        for (const id of patient.identifier ?? []) {
          const key = `${id.system}|${id.value}`;
          if (seen.has(key) || (targetSystems.length > 0 && !targetSystems.includes(id.system ?? ''))) continue;
          seen.add(key);
          parameter.push({ name: 'targetIdentifier', valueIdentifier: { ...(id.use ? { use: id.use } : {}), system: id.system, value: id.value } });
        }
      }
      parameter.sort((a: any, b: any) => (a.name === b.name ? 0 : a.name === 'targetIdentifier' ? -1 : 1));
      return { status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Parameters', parameter }) };
    },
  };
}
