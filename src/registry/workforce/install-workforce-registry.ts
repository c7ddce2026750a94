import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { practitionerRoleRules } from './practitioner-role-rules.ts';
import { workforceDensity } from './workforce-density-operation.ts';

/**
 * Makes the engine's PractitionerRole store the health worker registry (cadre codes checked, at most
 * ten facilities per worker) and adds the workforce planning operation.
 */
export function installWorkforceRegistry(engine: FhirEngine): void {
  (engine.repo.options.hooks ??= []).push(practitionerRoleRules);
  engine.operations.register(workforceDensity);
}
