/**
 * What a source record of a bulk load needs that depends on nothing but the record: its structural
 * validation against the R4 definitions, the JSON stored for version 1, its search index rows, the
 * person the matcher sees and its blocking keys. Pure CPU work, so the bulk loader runs it in worker
 * threads (bulk-prepare-worker.ts) while the main thread decides and writes the batches before.
 *
 * Encryption stays on the main thread: data keys never leave it.
 */
import type { OperationOutcomeIssue } from '../../fhir/outcome/fhir-error.ts';
import { r4SearchParameters, type SearchParam } from '../../fhir/definitions/search-parameters.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { storedJson } from '../../fhir/repository/stored-json.ts';
import { extractIndexRows } from '../../fhir/search/extract-index-rows.ts';
import type { IndexRows } from '../../fhir/search/index-rows.ts';
import { blockingKeys, packPerson, personFromPatient } from './matching/index.ts';

export interface PrepareInput {
  resource: FhirResource;
  id: string;
}

export interface PreparedRecord {
  /** Structural issues (all severities): the caller refuses the record on an error. */
  issues: OperationOutcomeIssue[];
  /** As stored (meta.versionId 1, lastUpdated). */
  stored: FhirResource;
  json: string;
  rows: IndexRows;
  /** The person the matcher sees, with its name forms derived here (packPerson): off the main thread. */
  person: string;
  keys: string[];
}

export interface PrepareContext {
  validate(resource: FhirResource, options: { requiredBindings: boolean }): OperationOutcomeIssue[];
  patientParams: Iterable<SearchParam>;
}

export interface PrepareBatch {
  records: PrepareInput[];
  /** ISO instant: one lastUpdated for the batch, as the bulk loader writes it. */
  lastUpdated: string;
  /** False when the engine checks codes through the terminology service (which then judges required bindings). */
  requiredBindings: boolean;
}

export function prepareRecords(ctx: PrepareContext, batch: PrepareBatch): PreparedRecord[] {
  const lastUpdated = new Date(batch.lastUpdated);
  return batch.records.map(({ resource, id }) => {
    const issues = ctx.validate(resource, { requiredBindings: batch.requiredBindings });
    const { stored, json } = storedJson(resource, id, 1, lastUpdated);
    const person = personFromPatient(resource);
    return { issues, stored, json, rows: extractIndexRows(resource, ctx.patientParams), person: packPerson(person), keys: blockingKeys(person) };
  });
}

/** The Patient search parameters workers index with (R4's): the loader uses workers only when they are the repository's. */
export function workerPatientParamCodes(): string[] {
  return [...r4SearchParameters().forType('Patient').keys()].sort();
}
