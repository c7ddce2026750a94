import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { populationRules } from './district-population.ts';
import { practitionerRoleRules } from './practitioner-role-rules.ts';
import { workforceDensity } from './workforce-density-operation.ts';

/**
 * Makes the engine's PractitionerRole store the health worker registry (cadre codes checked, at most
 * ten facilities per worker), checks the population figures district Locations state, and adds the
 * workforce planning operation.
 */
export function installWorkforceRegistry(engine: FhirEngine): void {
  (engine.repo.options.hooks ??= []).push(practitionerRoleRules(engine.terminology.source), populationRules);
  engine.operations.register(workforceDensity(engine.terminology.source));
}
