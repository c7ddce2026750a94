import type { Database } from '../db/database.ts';
import { r4SearchParameters } from './definitions/search-parameters.ts';
import { OperationRegistry } from './operations/operation-registry.ts';
import { patientEverything } from './operations/patient-everything.ts';
import { validateOperation } from './operations/validate-operation.ts';
import type { ContentCodec } from './repository/content-codec.ts';
import { type CodeValidator, FhirRepository, type ResourceValidator } from './repository/fhir-repository.ts';
import type { SearchOptions } from './search/execute-search.ts';
import { createResourceValidator } from './validation/validator.ts';
import { TerminologyService, terminologyOperations } from '../terminology/terminology-service.ts';

export interface FhirEngine {
  repo: FhirRepository;
  operations: OperationRegistry;
  search: SearchOptions;
  validate: ResourceValidator;
  /** The codes check of writes and $validate (through the terminology service); undefined when checkCodes is off. */
  validateCodes?: CodeValidator;
  terminology: TerminologyService;
}

export interface FhirEngineOptions {
  validate: boolean;
  /**
   * With validate: check codes on writes through the terminology service — required and extensible bindings, codes
   * of the code systems Huza holds (default true). Off: required bindings against the R4 package only, as before.
   */
  checkCodes?: boolean;
  maxSnapshotSize: number;
  /** How resource content is stored: the platform passes the cipher of src/security/encryption (encryption at rest). */
  contentCodec: ContentCodec;
}

/** The FHIR engine the domains build on: repository, search and the operation registry they plug into. */
export function createFhirEngine(db: Database, options: FhirEngineOptions): FhirEngine {
  const validator = createResourceValidator();
  const validate: ResourceValidator = (resource, validateOptions) =>
    validator.validate(resource, validateOptions).map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, expression: i.expression }));
  const terminology = new TerminologyService();
  const validateCodes: CodeValidator | undefined = options.checkCodes === false ? undefined : (r, resource) => terminology.codes.validate(r, resource);
  const repo = new FhirRepository(db, {
    searchParameters: r4SearchParameters(), content: options.contentCodec,
    ...(options.validate ? { validate, validateCodes } : {}),
    // A code system or value set written here counts for the code checks from the next write on.
    ...(options.validate && validateCodes ? { hooks: [terminology.codes.writeHook] } : {}),
  });
  const operations = new OperationRegistry();
  operations.register(patientEverything);
  operations.register(validateOperation(validate, validateCodes));
  for (const op of terminologyOperations(terminology)) operations.register(op);
  return { repo, operations, search: { maxSnapshotSize: options.maxSnapshotSize }, validate, validateCodes, terminology };
}
