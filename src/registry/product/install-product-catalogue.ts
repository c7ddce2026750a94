import type { FhirEngine } from '../../fhir/fhir-engine.ts';
import { productRules } from './product-rules.ts';

/** Makes the engine's Medication and MedicationKnowledge store the product catalogue (GTIN checks). */
export function installProductCatalogue(engine: FhirEngine): void {
  (engine.repo.options.hooks ??= []).push(productRules);
}
