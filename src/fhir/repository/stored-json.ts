import type { FhirResource } from './resource-types.ts';

/** A resource as stored at one version: its id and meta set, resourceType first as FHIR JSON readers expect. */
export function storedJson<T extends FhirResource>(resource: T, id: string, versionId: number, lastUpdated: Date): { stored: T; json: string } {
  const { resourceType, ...rest } = { ...resource, id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
  const stored = { resourceType, ...rest } as T;
  return { stored, json: JSON.stringify(stored) };
}

/**
 * The content of a resource as canonical JSON (keys sorted), leaving out what the server sets at
 * each version (meta.versionId, meta.lastUpdated): equal for an unchanged re-submission.
 */
export function contentKey(resource: FhirResource): string {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta ?? {};
  return JSON.stringify(canonical({ ...rest, meta: otherMeta }));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
