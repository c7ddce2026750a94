import { FhirError } from '../../fhir/outcome/fhir-error.ts';

const issue = (code: string, diagnostics: string, expression?: string) =>
  ({ severity: 'error' as const, code, diagnostics, ...(expression ? { expression: [expression] } : {}) });

/** The health worker registry's refusals, in one place. */
export const workforceErrors = {
  unknownCadre: (code: string, at: string) =>
    new FhirError(400, [issue('code-invalid', `'${code}' is not a cadre of https://huza.rw/fhir/CodeSystem/health-worker-cadre`, at)]),
  groupingCadre: (code: string, at: string) =>
    new FhirError(400, [issue('code-invalid', `Cadre '${code}' is a grouping; code the worker's own cadre (for example general-practitioner or specialist-doctor)`, at)]),
  tooManyFacilities: (practitioner: string, count: number, max: number) =>
    new FhirError(422, [issue('business-rule',
      `${practitioner} would serve ${count} facilities; a health worker may serve at most ${max}. End (active=false or period.end) a role at another facility first`,
      'PractitionerRole.location')]),
  populationNotOnDistrict: (name: string, at: string) =>
    new FhirError(400, [issue('business-rule',
      `A population figure belongs on a district's Location (type admin-level district, named as one of Rwanda's 30 districts); '${name}' is not one`, at)]),
  invalidPopulation: (problems: { message: string; expression: string }[]) =>
    new FhirError(400, problems.map((p) => issue('invalid', p.message, p.expression))),
};
