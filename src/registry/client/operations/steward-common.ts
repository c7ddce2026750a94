import type { OperationDefinition, OperationParameterDefinition } from '../../../fhir/operations/operation-definition.ts';
import { firstString } from '../../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import { FhirError } from '../../../fhir/outcome/fhir-error.ts';
import type { FhirContext } from '../../../fhir/rest/fhir-request.ts';
import type { Actor } from '../../../security/access/actor.ts';

/** What the steward's operations share: their definitions, the access check and the Parameters reply. */
export const param = (name: string, type: string, min = 0, max = '1', use: 'in' | 'out' = 'in'): OperationParameterDefinition => ({ name, use, min, max, type });

export function def(code: string, title: string, affectsState: boolean, parameter: OperationParameterDefinition[]): OperationDefinition {
  return {
    resourceType: 'OperationDefinition', url: `https://huza.rw/fhir/OperationDefinition/Patient-${code}`, name: code.replace(/[^A-Za-z]/g, ''),
    title, status: 'active', kind: 'operation', code, system: false, type: true, instance: false, resource: ['Patient'], affectsState, parameter,
  };
}

/** Data stewards (and exchange administrators) decide about identities; systems need Patient write scope. */
export function stewardOf(ctx: FhirContext): string {
  ctx.access?.checkType('Patient', 'u');
  const actor = (ctx.access as { actor?: Actor } | undefined)?.actor;
  if (actor?.kind === 'person' && !actor.roles.some((r) => r === 'registry-steward' || r === 'exchange-admin')) {
    throw new FhirError(403, [{ severity: 'error', code: 'forbidden', diagnostics: 'Only registry stewards and exchange administrators decide about patient identities' }]);
  }
  return actor ? `${actor.kind}:${actor.id}` : 'huza';
}

export const required = (input: Map<string, unknown[]>, name: string) => {
  const v = firstString(input, name);
  if (!v) throw fhirErrors.invalidParameter(name, 'is required');
  return v.replace(/^Patient\//, '');
};

export const parameters = (parameter: unknown[]) => ({ status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Parameters', parameter }) });
