import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { facilityWriteHook } from './facility-rules.ts';

/**
 * Makes the engine's Location and Organization stores a facility registry (IHE mCSD): every write
 * passes the hierarchy, code and position rules.
 */
export function installFacilityRegistry(engine: FhirEngine): void {
  const hooks = (engine.repo.options.hooks ??= []);
  hooks.push(facilityWriteHook);
}
