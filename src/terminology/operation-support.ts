import type { FhirResponse } from '../fhir/rest/fhir-request.ts';
import type { OperationInput } from '../fhir/operations/operation-parameters.ts';
import { firstString } from '../fhir/operations/operation-parameters.ts';
import { terminologyErrors } from './terminology-errors.ts';
import type { CodeableConcept, Coding, Designation } from './terminology-types.ts';

/** One output parameter: a name and either value[x], a resource or parts. */
export type OutParameter = { name: string; part?: OutParameter[]; resource?: unknown; [valueX: string]: unknown };

export function parametersResponse(parameter: OutParameter[]): FhirResponse {
  return { status: 200, headers: {}, body: JSON.stringify({ resourceType: 'Parameters', parameter }) };
}

export function resourceResponse(resource: unknown): FhirResponse {
  return { status: 200, headers: {}, body: JSON.stringify(resource) };
}

export function flag(input: OperationInput, name: string): boolean | undefined {
  const v = firstString(input, name);
  return v === undefined ? undefined : v === 'true';
}

export function integer(input: OperationInput, name: string): number | undefined {
  const v = firstString(input, name);
  return v === undefined ? undefined : Number(v);
}

/** A Coding from a Parameters body, or from a query string as `system|code` (GET cannot carry complex types). */
export function codingInput(input: OperationInput, name: string): Coding | undefined {
  const v = input.get(name)?.[0];
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null) return v as Coding;
  const text = String(v);
  const bar = text.lastIndexOf('|');
  return bar >= 0 ? { system: text.slice(0, bar) || undefined, code: text.slice(bar + 1) } : { code: text };
}

export function codeableConceptInput(input: OperationInput, name: string): CodeableConcept | undefined {
  const v = input.get(name)?.[0];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) throw terminologyErrors.conflicting(`Parameter '${name}' must be a CodeableConcept (POST a Parameters resource)`, [name]);
  return v as CodeableConcept;
}

/**
 * The coding(s) a $validate-code, $lookup or $translate call is about: code+system, coding or
 * codeableConcept — exactly one way, or code and coding saying the same thing.
 */
export function codingsOf(input: OperationInput, systemParam: string, versionParam?: string): Coding[] {
  const code = firstString(input, 'code');
  const system = firstString(input, systemParam);
  const version = versionParam ? firstString(input, versionParam) : undefined;
  const coding = codingInput(input, 'coding');
  const cc = codeableConceptInput(input, 'codeableConcept');
  const given = [code !== undefined, coding !== undefined, cc !== undefined].filter(Boolean).length;
  if (given === 0) throw terminologyErrors.missing('Give code (with system), coding or codeableConcept', ['code', 'coding', 'codeableConcept']);
  if (cc && (code !== undefined || coding)) throw terminologyErrors.conflicting('Give either codeableConcept or code/coding, not both', ['codeableConcept']);
  if (coding && code !== undefined && (coding.code !== code || (system !== undefined && coding.system !== undefined && coding.system !== system))) {
    throw terminologyErrors.conflicting(`code '${code}'${system ? ` (${system})` : ''} and coding '${coding.system ?? ''}|${coding.code ?? ''}' disagree: give one of them`, ['code', 'coding']);
  }
  if (coding) {
    if (!coding.code) throw terminologyErrors.missing('coding needs a code', ['coding']);
    return [{ ...coding, system: coding.system ?? system, version: coding.version ?? version }];
  }
  if (cc) {
    const codings = (cc.coding ?? []).filter((c) => c.code);
    if (codings.length === 0) throw terminologyErrors.missing('codeableConcept has no coding with a code', ['codeableConcept']);
    return codings;
  }
  return [{ system, version, code, display: firstString(input, 'display') }];
}

/** The display in the requested language where the concept has a designation in it ('fr' matches 'fr-RW'). */
export function displayIn(display: string | undefined, designations: Designation[], language: string | undefined): string | undefined {
  if (!language) return display;
  const lang = language.toLowerCase();
  const match = designations.find((d) => d.language?.toLowerCase() === lang) ??
    designations.find((d) => d.language?.toLowerCase().split('-')[0] === lang.split('-')[0]);
  return match?.value ?? display;
}

export function designationParts(designations: Designation[]): OutParameter[] {
  return designations.map((d) => ({
    name: 'designation',
    part: [
      ...(d.language ? [{ name: 'language', valueCode: d.language }] : []),
      ...(d.use ? [{ name: 'use', valueCoding: d.use }] : []),
      { name: 'value', valueString: d.value },
    ],
  }));
}
