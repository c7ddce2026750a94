import { FhirError, type OperationOutcomeIssue } from '../../fhir/outcome/fhir-error.ts';

const issue = (code: string, diagnostics: string, expression?: string): OperationOutcomeIssue =>
  ({ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) });

/** The client registry's refusals, each an OperationOutcome saying what and where. */
export const registryErrors = {
  noSystem: (at: string) =>
    new FhirError(400, [issue('required', 'An identifier must name its assigning authority (identifier.system)', at)]),
  unknownAuthority: (system: string, at: string) =>
    new FhirError(400, [issue('code-invalid', `The assigning authority '${system}' is not registered with the client registry`, at)]),
  invalidValue: (system: string, value: string, why: string, at: string) =>
    new FhirError(400, [issue('value', `Identifier '${value}' is not valid for ${system}: ${why}`, at)]),
  notAssigner: (system: string, source: string, at: string) =>
    new FhirError(403, [issue('forbidden', `Source '${source}' may not assign new identifiers in the identity domain ${system}`, at)]),
  identifierConflict: (system: string, value: string, holder: string, at: string) =>
    new FhirError(409, [issue('conflict', `Identifier ${system}|${value} already belongs to another person (${holder}); a steward must resolve it`, at)]),
  emptyName: () => new FhirError(400, [issue('required', 'A patient needs at least one name with a family or given part', 'Patient.name')]),
  futureBirthDate: (birthDate: string) =>
    new FhirError(400, [issue('value', `Birth date ${birthDate} is in the future`, 'Patient.birthDate')]),
  goldenIsRegistryOwned: () =>
    new FhirError(403, [issue('forbidden', 'Golden records are kept by the client registry; submit source records instead')]),
  mergeTargetNotFound: (what: string) =>
    new FhirError(400, [issue('not-found', `The merge target ${what} is not a known patient`, 'Patient.link')]),
};
