import type { FhirResource, StoredVersion } from '../repository/resource-types.ts';
import { outcome, type OperationOutcome } from '../outcome/fhir-error.ts';
import type { SummaryMode } from '../search/search-request.ts';
import type { FhirResponse } from './fhir-request.ts';
import type { Preferences } from './prefer.ts';
import { needsSubsetting, subsetResource } from './summary-elements.ts';

export function versionHeaders(version: StoredVersion): Record<string, string> {
  return { ETag: `W/"${version.versionId}"`, 'Last-Modified': version.lastUpdated.toUTCString() };
}

export function outcomeResponse(status: number, body: OperationOutcome, headers: Record<string, string> = {}): FhirResponse {
  return { status, headers, body: JSON.stringify(body) };
}

/** The stored JSON as it goes out: passed through untouched unless _summary/_elements subset it. */
export function resourceJson(version: StoredVersion, summary?: SummaryMode, elements?: string[]): string {
  const json = version.json as string;
  if (!needsSubsetting(summary, elements)) return json;
  return JSON.stringify(subsetResource(JSON.parse(json) as FhirResource, summary, elements));
}

/** The answer to a write, shaped by Prefer: return=minimal|representation|OperationOutcome. */
export function writeResponse(status: number, version: StoredVersion, baseUrl: string, prefs: Preferences, withLocation: boolean): FhirResponse {
  const headers = versionHeaders(version);
  if (withLocation) headers.Location = `${baseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`;
  if (prefs.return === 'minimal') return { status, headers };
  if (prefs.return === 'OperationOutcome') {
    const verb = status === 201 ? 'created' : 'updated';
    return outcomeResponse(status, outcome('information', 'informational', `${version.resourceType}/${version.id} ${verb} at version ${version.versionId}`), headers);
  }
  return { status, headers, body: version.json as string };
}

export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  return m ? Number(m[1]) : Number.NaN;
}
