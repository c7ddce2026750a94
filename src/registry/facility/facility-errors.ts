import { FhirError } from '../../fhir/outcome/fhir-error.ts';

const error = (status: number, code: string, diagnostics: string, expression: string[]) =>
  new FhirError(status, [{ severity: 'error', code, diagnostics, expression }]);

/** The facility registry's refusals: one place for their codes, statuses and wording. */
export const facilityErrors = {
  partOfNotLocal: (type: string, reference: string) =>
    error(400, 'invalid', `${type}.partOf '${reference}' must reference a ${type} on this server (${type}/<id>)`, [`${type}.partOf`]),
  unknownParent: (type: string, reference: string) =>
    error(400, 'invalid', `${type}.partOf names ${reference}, which does not exist`, [`${type}.partOf`]),
  cycle: (type: string, id: string, path: string[]) =>
    error(400, 'business-rule', `${type}.partOf would make a cycle: ${[`${type}/${id}`, ...path].join(' → ')}`, [`${type}.partOf`]),
  duplicateCode: (type: string, code: string, holder: string) =>
    error(409, 'duplicate', `Facility code '${code}' is already held by ${holder}`, [`${type}.identifier`]),
  invalidCoordinates: (why: string) => error(400, 'invalid', `Location.position: ${why}`, ['Location.position']),
};
