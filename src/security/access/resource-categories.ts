import { patientCompartment } from '../../fhir/definitions/patient-compartment.ts';

/** What kind of data a resource type holds decides who may touch it. */
export type ResourceCategory = 'patient-data' | 'audit' | 'licence' | 'directory';

let patientDataTypes: Set<string> | undefined;

export function categoryOf(type: string): ResourceCategory {
  if (type === 'AuditEvent') return 'audit';
  if (type === 'Basic') return 'licence';
  patientDataTypes ??= new Set(['Patient', ...patientCompartment().types]);
  return patientDataTypes.has(type) ? 'patient-data' : 'directory';
}
