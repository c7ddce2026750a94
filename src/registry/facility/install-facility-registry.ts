import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { facilityWriteHook } from './facility-rules.ts';
import { locationImport } from './operations/location-import.ts';

/**
 * Makes the engine's Location and Organization stores a facility registry (IHE mCSD): every write
 * passes the hierarchy, code and position rules, and stewards get `Location/$import`.
 */
export function installFacilityRegistry(engine: FhirEngine): void {
  const hooks = (engine.repo.options.hooks ??= []);
  hooks.push(facilityWriteHook);
  engine.operations.register(locationImport);
}
