import type { FhirResource } from '../repository/resource-types.ts';

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  request?: {
    method?: string;
    url?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    ifMatch?: string;
    ifNoneExist?: string;
  };
}

export interface Bundle extends FhirResource {
  resourceType: 'Bundle';
  type?: string;
  entry?: BundleEntry[];
}

export interface ResponseEntry {
  fullUrl?: string;
  resource?: unknown;
  response: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: unknown };
}
