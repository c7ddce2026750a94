import type { FhirRepository } from '../repository/fhir-repository.ts';
import type { OperationRegistry } from '../operations/operation-registry.ts';
import type { SearchOptions } from '../search/execute-search.ts';
import type { FhirResource, StoredVersion } from '../repository/resource-types.ts';

/** One FHIR interaction, whether it came over HTTP or as an entry of a batch or transaction Bundle. */
export interface FhirRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the FHIR base, without leading slash: "Patient/123/_history". */
  path: string;
  query: [string, string][];
  headers: {
    ifMatch?: string;
    ifNoneExist?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    prefer?: string;
    contentType?: string;
  };
  body?: unknown;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text of the resource or Bundle or OperationOutcome; absent for 204 and Prefer: return=minimal. */
  body?: string;
}

/**
 * The access decisions the engine asks for at each interaction; made by the security domain, absent
 * only for trusted in-process callers (seeding, migrations).
 */
export interface AccessHooks {
  /** Throws (403) when the interaction is not allowed on this type at all. */
  checkType(type: string, permission: 'c' | 'r' | 'u' | 'd' | 's'): void;
  /** Keeps the versions the caller may see (searches, includes, $everything, history). */
  visible(versions: StoredVersion[]): Promise<StoredVersion[]>;
  /** Throws (403) when the caller may not see this version (reads, and before changing it). */
  assertVisible(version: StoredVersion): Promise<void>;
  /** Throws (403) when writing this resource is an action the caller is not licensed or allowed to take. */
  checkWrite(resource: FhirResource): Promise<void>;
  /** Set when the token is bound to one patient: searches are confined to that patient's compartment. */
  readonly boundPatient?: string;
}

export interface FhirContext {
  access?: AccessHooks;
  repo: FhirRepository;
  /** The absolute base URL, e.g. https://huza.example.rw/fhir, for fullUrl, Location and paging links. */
  baseUrl: string;
  operations: OperationRegistry;
  search: SearchOptions;
}
