import type { Address, CodeableConcept, ContactPoint, Identifier, Reference, Resource } from './types.ts';

export interface Location extends Resource {
  resourceType: 'Location';
  identifier?: Identifier[];
  status?: string;
  name?: string;
  alias?: string[];
  type?: CodeableConcept[];
  telecom?: ContactPoint[];
  address?: Address;
  position?: { latitude: number; longitude: number };
  partOf?: Reference;
  managingOrganization?: Reference;
}

export const facilityLevelSystem = 'https://moh.gov.rw/fhir/CodeSystem/facility-level';
export const adminLevelSystem = 'https://moh.gov.rw/fhir/CodeSystem/admin-level';
const facilityCodeSystem = 'https://moh.gov.rw/fhir/id/facility';
export const facilityLevels = ['referral-hospital', 'district-hospital', 'health-centre', 'health-post'] as const;

/** Rwanda's bounding box (WGS84): the map's frame. */
export const rwandaBounds = { latMin: -2.84, latMax: -1.05, longMin: 28.86, longMax: 30.9 } as const;

export interface FacilitySearch {
  name?: string;
  level?: string;
  /** Location id of a district. */
  district?: string;
}

/** mCSD-style search for facilities (Locations with a facility level), by name, level and district. */
export function facilityQuery(s: FacilitySearch): string {
  // "system|" matches any code of the system: every facility, whatever its level.
  const q = new URLSearchParams({ type: `${facilityLevelSystem}|${s.level ?? ''}`, _count: '100', _sort: 'name' });
  if (s.name?.trim()) q.set('name:contains', s.name.trim());
  if (s.district) q.set('partof', `Location/${s.district}`);
  return `Location?${q.toString()}`;
}

export const districtQuery = `Location?type=${encodeURIComponent(`${adminLevelSystem}|district`)}&_count=50&_sort=name`;

export interface FacilityRow {
  id: string;
  name: string;
  code?: string;
  level?: string;
  district?: string;
  phone?: string;
  status?: string;
  lat?: number;
  long?: number;
}

export function facilityRow(l: Location): FacilityRow {
  const level = l.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === facilityLevelSystem);
  return {
    id: l.id ?? '',
    name: l.name ?? '',
    code: l.identifier?.find((i) => i.system === facilityCodeSystem)?.value,
    level: level?.code,
    district: l.address?.district ?? l.partOf?.display,
    phone: l.telecom?.find((t) => t.system === 'phone')?.value,
    status: l.status,
    lat: l.position?.latitude,
    long: l.position?.longitude,
  };
}

/** Map coordinates (x right, y down) of a point inside the bounds, for an SVG of the given size. */
export function project(lat: number, long: number, width: number, height: number): { x: number; y: number } | undefined {
  const b = rwandaBounds;
  if (lat < b.latMin || lat > b.latMax || long < b.longMin || long > b.longMax) return undefined;
  return {
    x: Math.round(((long - b.longMin) / (b.longMax - b.longMin)) * width * 10) / 10,
    y: Math.round(((b.latMax - lat) / (b.latMax - b.latMin)) * height * 10) / 10,
  };
}

/** The Location with a steward's edits applied (name, phone, status); everything else kept. */
export function withEdits(l: Location, edits: { name: string; phone: string; status: 'active' | 'inactive' | 'suspended' }): Location {
  const telecom = (l.telecom ?? []).filter((t) => t.system !== 'phone');
  return {
    ...l,
    name: edits.name.trim(),
    status: edits.status,
    telecom: edits.phone.trim() ? [{ system: 'phone', value: edits.phone.trim(), use: 'work' }, ...telecom] : telecom,
  };
}
