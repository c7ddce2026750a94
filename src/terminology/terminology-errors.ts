import { FhirError } from '../fhir/outcome/fhir-error.ts';

const error = (status: number, code: string, diagnostics: string, expression?: string[]) =>
  new FhirError(status, [{ severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) }]);

const canonical = (url: string, version?: string) => (version ? `${url}|${version}` : url);

/** The terminology service's refusals, each naming the canonical URL, code or parameter at fault. */
export const terminologyErrors = {
  unknownCodeSystem: (url: string, version?: string) =>
    error(404, 'not-found', `CodeSystem '${canonical(url, version)}' is not known to this server`, ['system']),
  unknownValueSet: (url: string, version?: string) =>
    error(404, 'not-found', `ValueSet '${canonical(url, version)}' is not known to this server`, ['url']),
  unknownConceptMap: (url: string, version?: string) =>
    error(404, 'not-found', `ConceptMap '${canonical(url, version)}' is not known to this server`, ['url']),
  unknownCode: (system: string, code: string, parameter = 'code') =>
    error(404, 'not-found', `Code '${code}' is not in CodeSystem '${system}'`, [parameter]),
  contentNotPresent: (url: string) =>
    error(400, 'not-supported', `CodeSystem '${url}' is known here only by name (content not-present): its concepts cannot be enumerated`),
  tooCostly: (url: string, size: number, limit: number) =>
    error(400, 'too-costly', `ValueSet '${url}' expands to ${size} codes, more than the ${limit} returned at once: narrow it with filter or page it with count`, ['count']),
  invalidRegex: (value: string, detail: string) =>
    error(400, 'invalid', `Filter value '${value}' is not a valid regular expression: ${detail}`, ['ValueSet.compose.include.filter.value']),
  unsupportedFilter: (property: string, op: string) =>
    error(400, 'not-supported', `Filter '${property} ${op}' is not supported`, ['ValueSet.compose.include.filter']),
  valueSetCycle: (url: string) => error(400, 'invalid', `ValueSet '${url}' includes itself (directly or through another ValueSet)`),
  conflicting: (detail: string, parameters: string[]) => error(400, 'invalid', detail, parameters),
  missing: (detail: string, parameters: string[]) => error(400, 'required', detail, parameters),
};
