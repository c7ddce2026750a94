import type { FhirResource, StoredVersion } from '../../fhir/repository/resource-types.ts';
import { BUILT_IN_AUTHORITIES, REGISTRY_ID_SYSTEM } from './identifier-authorities.ts';

export const REGISTRY_TAG = { system: 'https://huza.rw/fhir/CodeSystem/client-registry', code: 'golden', display: 'Golden record kept by the client registry' };

export function isGoldenRecord(resource: FhirResource): boolean {
  const tags = (resource.meta as { tag?: { system?: string; code?: string }[] } | undefined)?.tag ?? [];
  return tags.some((t) => t.system === REGISTRY_TAG.system && t.code === REGISTRY_TAG.code);
}

interface Identifier { system?: string; value?: string; use?: string; [k: string]: unknown }
/** A source record as survivorship reads it. */
export interface GoldenSource { id: string; lastUpdated: string; resource: Record<string, any> }

/** A stored source record as survivorship reads it. */
export function goldenSource(version: StoredVersion): GoldenSource {
  return { id: version.id, lastUpdated: version.lastUpdated.toISOString(), resource: JSON.parse(version.json as string) };
}

const personLevel = (system: string | undefined) =>
  !!system && BUILT_IN_AUTHORITIES.some((a) => a.personLevel && (a.prefix ? system.startsWith(a.system) : a.system === system));

/**
 * The golden record of one person, rebuilt from every source record linked to it. Survivorship:
 * identity documents (national IDs, passports, CBHI…) from all sources, never a facility's file
 * number; the most precise birth date, the most common sex; name and address from the most
 * recently updated source that has them (the first by id among sources updated at once); every distinct phone; active while any source is.
 */
export function buildGoldenRecord(goldenId: string, registryId: string, sources: GoldenSource[]): FhirResource {
  // Sources updated at the same instant (one batch of a bulk load) in id order: the record must not
  // depend on the order the sources were read in.
  const newest = [...sources].sort((a, b) => (a.lastUpdated < b.lastUpdated ? 1 : a.lastUpdated > b.lastUpdated ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const identifiers: Identifier[] = [{ use: 'official', system: REGISTRY_ID_SYSTEM, value: registryId }];
  const seen = new Set<string>([`${REGISTRY_ID_SYSTEM}|${registryId}`]);
  for (const s of newest) {
    for (const id of (s.resource.identifier ?? []) as Identifier[]) {
      const key = `${id.system}|${id.value}`;
      if (!personLevel(id.system) || id.system === REGISTRY_ID_SYSTEM || seen.has(key)) continue;
      seen.add(key);
      identifiers.push(id);
    }
  }
  const golden: Record<string, unknown> = {
    resourceType: 'Patient',
    id: goldenId,
    meta: { tag: [REGISTRY_TAG] },
    identifier: identifiers,
    active: sources.some((s) => s.resource.active !== false),
  };
  const withName = newest.find((s) => Array.isArray(s.resource.name) && s.resource.name.length > 0);
  if (withName) golden.name = withName.resource.name;
  const gender = mostCommon(sources.map((s) => s.resource.gender).filter((g) => g && g !== 'unknown'));
  if (gender) golden.gender = gender;
  const birthDate = mostPrecise(newest.map((s) => s.resource.birthDate).filter((d): d is string => typeof d === 'string'));
  if (birthDate) golden.birthDate = birthDate;
  const deceased = newest.find((s) => s.resource.deceasedBoolean === true || s.resource.deceasedDateTime);
  if (deceased) {
    if (deceased.resource.deceasedDateTime) golden.deceasedDateTime = deceased.resource.deceasedDateTime;
    else golden.deceasedBoolean = true;
  }
  const telecom = dedupe(newest.flatMap((s) => s.resource.telecom ?? []), (t: any) => `${t.system}|${t.value}`);
  if (telecom.length > 0) golden.telecom = telecom;
  const withAddress = newest.find((s) => Array.isArray(s.resource.address) && s.resource.address.length > 0);
  if (withAddress) golden.address = withAddress.resource.address;
  golden.link = sources.map((s) => ({ other: { reference: `Patient/${s.id}` }, type: 'seealso' }));
  return golden as FhirResource;
}

function mostCommon<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let n = 0;
  for (const [v, c] of counts) if (c > n) { best = v; n = c; }
  return best;
}

/** A full date beats a year and month, which beats a year; among equals, the newest source's. */
function mostPrecise(dates: string[]): string | undefined {
  let best: string | undefined;
  for (const d of dates) if (!best || d.length > best.length) best = d;
  return best;
}

function dedupe<T>(values: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => { const k = key(v); if (seen.has(k)) return false; seen.add(k); return true; });
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A registry ID people can read out and type: RW- and 12 Crockford base-32 characters, the last a check character. */
export function newRegistryId(random: Uint8Array): string {
  const body = Array.from(random.slice(0, 11), (b) => crockford[b % 32]).join('');
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum * 32 + crockford.indexOf(body[i])) % 37;
  const check = '0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U'[sum];
  return `RW-${body.slice(0, 4)}-${body.slice(4, 8)}-${body.slice(8)}${check}`;
}
