import { FhirError, type OperationOutcomeIssue } from './fhir-error.ts';

const error = (status: number, code: string, diagnostics: string, expression?: string[]) =>
  new FhirError(status, [{ severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) }]);

/** The catalogue of the FHIR engine's errors: one place for codes, statuses and wording. */
export const fhirErrors = {
  unknownResourceType: (type: string) => error(404, 'not-supported', `Unknown resource type '${type}'`),
  notFound: (type: string, id: string) => error(404, 'not-found', `${type}/${id} is not known`),
  versionNotFound: (type: string, id: string, version: string) => error(404, 'not-found', `${type}/${id} has no version ${version}`),
  gone: (type: string, id: string) => error(410, 'deleted', `${type}/${id} has been deleted`),
  invalidId: (id: string) => error(400, 'invalid', `'${id}' is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)`, ['Resource.id']),
  invalidJson: (detail: string) => error(400, 'structure', `The body is not valid JSON: ${detail}`),
  notAResource: () => error(400, 'structure', 'The body is not a FHIR resource: resourceType is missing'),
  typeMismatch: (expected: string, actual: string) =>
    error(400, 'invalid', `The body is a ${actual} but the URL names ${expected}`, ['resourceType']),
  idMismatch: (urlId: string, bodyId: string | undefined) =>
    error(400, 'invalid', bodyId ? `The body's id '${bodyId}' differs from the URL's '${urlId}'` : `The body must carry id '${urlId}' for an update`, ['Resource.id']),
  invalidResource: (issues: OperationOutcomeIssue[]) => new FhirError(400, issues),
  versionConflict: (type: string, id: string, expected: string, actual: number) =>
    error(412, 'conflict', `${type}/${id} is at version ${actual}, not ${expected} as If-Match requires`),
  badIfMatch: (value: string) => error(400, 'invalid', `If-Match '${value}' is not an ETag of the form W/"<version>"`),
  concurrentWrite: (type: string, id: string) => error(409, 'conflict', `${type}/${id} was changed by another request at the same time; retry`),
  idTaken: (type: string, id: string) => error(409, 'duplicate', `${type}/${id} already exists`),
  multipleMatches: (what: string, count: number) => error(412, 'multiple-matches', `${what} matched ${count} resources; it must match at most one`),
  conditionalNoMatch: (what: string) => error(412, 'not-found', `${what} matched no resource`),
  unknownSearchParameter: (type: string, name: string) => error(400, 'not-supported', `Unknown search parameter '${name}' for ${type}`, [name]),
  invalidSearchValue: (name: string, value: string, why: string) => error(400, 'invalid', `Search parameter '${name}' value '${value}': ${why}`, [name]),
  unsupportedModifier: (name: string, modifier: string) => error(400, 'not-supported', `Modifier ':${modifier}' is not supported for '${name}'`, [name]),
  chainTooDeep: (name: string, max: number) => error(400, 'too-costly', `Chain '${name}' is deeper than ${max} links`, [name]),
  invalidPatch: (detail: string) => error(400, 'invalid', `JSON Patch could not be applied: ${detail}`),
  unsupportedMediaType: (type: string) => error(415, 'not-supported', `Content-Type '${type}' is not supported; use application/fhir+json`),
  invalidBundle: (detail: string, expression?: string[]) => error(400, 'invalid', detail, expression),
  unknownOperation: (name: string, on: string) => error(404, 'not-supported', `Operation $${name} is not defined on ${on}`),
  invalidParameter: (name: string, detail: string) => error(400, 'invalid', `Parameter '${name}': ${detail}`, [name]),
  snapshotExpired: () => error(410, 'expired', 'This page of search results has expired; run the search again'),
  notFoundRoute: (path: string) => error(404, 'not-found', `No FHIR interaction at ${path}`),
  methodNotAllowed: (method: string, path: string) => error(405, 'not-supported', `${method} is not supported on ${path}`),
  tooLarge: (limit: number) => error(413, 'too-costly', `The body is larger than ${limit} bytes`),
};
