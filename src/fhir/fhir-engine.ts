import type { Database } from '../db/database.ts';
import { r4SearchParameters } from './definitions/search-parameters.ts';
import { OperationRegistry } from './operations/operation-registry.ts';
import { patientEverything } from './operations/patient-everything.ts';
import { validateOperation } from './operations/validate-operation.ts';
import type { ContentCodec } from './repository/content-codec.ts';
import { FhirRepository, type ResourceValidator } from './repository/fhir-repository.ts';
import type { SearchOptions } from './search/execute-search.ts';
import { createResourceValidator } from './validation/validator.ts';
import { terminologyOperations } from '../terminology/terminology-service.ts';

export interface FhirEngine {
  repo: FhirRepository;
  operations: OperationRegistry;
  search: SearchOptions;
  validate: ResourceValidator;
}

export interface FhirEngineOptions {
  validate: boolean;
  maxSnapshotSize: number;
  /** How resource content is stored: the platform passes the cipher of src/security/encryption (encryption at rest). */
  contentCodec: ContentCodec;
}

/** The FHIR engine the domains build on: repository, search and the operation registry they plug into. */
export function createFhirEngine(db: Database, options: FhirEngineOptions): FhirEngine {
  const validator = createResourceValidator();
  const validate: ResourceValidator = (resource) =>
    validator.validate(resource).map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, expression: i.expression }));
  const repo = new FhirRepository(db, { searchParameters: r4SearchParameters(), validate: options.validate ? validate : undefined, content: options.contentCodec });
  const operations = new OperationRegistry();
  operations.register(patientEverything);
  operations.register(validateOperation(validate));
  for (const op of terminologyOperations()) operations.register(op);
  return { repo, operations, search: { maxSnapshotSize: options.maxSnapshotSize }, validate };
}
