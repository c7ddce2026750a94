import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { ClientRegistry } from './client-registry.ts';
import { patientMatch } from './operations/patient-match.ts';
import { pixQuery } from './operations/pix-query.ts';
import { processMessage } from './operations/process-message.ts';
import { stewardOperations } from './operations/steward-operations.ts';

/**
 * Makes the engine's Patient store a client registry: every Patient write passes the registry's
 * identity checks and matching, and the IHE operations (PMIR, PIXm, PDQm $match) and the
 * steward's tools join the operation registry.
 */
export function installClientRegistry(engine: FhirEngine): ClientRegistry {
  const registry = new ClientRegistry();
  const hooks = (engine.repo.options.hooks ??= []);
  hooks.push(registry.hook);
  for (const op of [processMessage, pixQuery(registry), patientMatch(registry), ...stewardOperations(registry)]) engine.operations.register(op);
  return registry;
}
