/** A FHIR resource as JSON: only the envelope fields the engine itself reads are typed. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A stored version as the engine hands it out: the JSON text is kept so reads need not re-serialise. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The resource's JSON, meta.versionId and meta.lastUpdated included; null for a deletion. */
  json: string | null;
}

export const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;
