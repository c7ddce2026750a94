/**
 * Worker thread of the bulk loader (run by piscina): prepares batches of source records
 * (bulk-prepare.ts) with its own copy of the R4 validator and Patient search parameters.
 */
import { r4SearchParameters } from '../../fhir/definitions/search-parameters.ts';
import { createResourceValidator } from '../../fhir/validation/validator.ts';
import { prepareRecords, type PrepareBatch, type PrepareContext, type PreparedRecord } from './bulk-prepare.ts';

const validator = createResourceValidator();
const ctx: PrepareContext = {
  // The issue fields the engine keeps (fhir-engine.ts): what crosses back to the main thread.
  validate: (resource, options) => validator.validate(resource, options).map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, expression: i.expression })),
  patientParams: [...r4SearchParameters().forType('Patient').values()],
};

export default function prepare(batch: PrepareBatch): PreparedRecord[] {
  return prepareRecords(ctx, batch);
}

