import { randomUUIDv7 } from 'node:crypto';

/**
 * The id the server gives a resource it creates: a time-ordered UUID (version 7: 48 bits of
 * milliseconds, then 74 random bits). Every index keyed by resource id — the primary keys of
 * `resource` and `resource_history`, each search table's `…_resource` index, the registry's links —
 * then takes new rows at its right edge, in the pages already in memory, instead of on a random leaf
 * of an index that outgrows the buffer pool as the store grows. The creation time it carries is
 * what `meta.lastUpdated` of version 1 says anyway; the random part keeps ids unguessable.
 */
export function newResourceId(): string {
  return randomUUIDv7();
}
