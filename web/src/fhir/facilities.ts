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

/**
 * The map's frame (WGS84): Rwanda's bounding box (Natural Earth's border reaches 28.856°E to 30.887°E,
 * 2.826°S to 1.058°S) with about 0.06° of margin, so the whole border is drawn. Its sides keep the
 * map's 640 × 560 shape: east–west and north–south scales agree within 1% at Rwanda's latitude.
 */
export const mapFrame = { latMin: -2.88, latMax: -1.0, longMin: 28.8, longMax: 30.95 } as const;

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

function toMap(lat: number, long: number, width: number, height: number): { x: number; y: number } {
  const f = mapFrame;
  return {
    x: Math.round(((long - f.longMin) / (f.longMax - f.longMin)) * width * 10) / 10,
    y: Math.round(((f.latMax - lat) / (f.latMax - f.latMin)) * height * 10) / 10,
  };
}

/** Map coordinates (x right, y down) of a point inside the frame, for an SVG of the given size. */
export function project(lat: number, long: number, width: number, height: number): { x: number; y: number } | undefined {
  const f = mapFrame;
  if (lat < f.latMin || lat > f.latMax || long < f.longMin || long > f.longMax) return undefined;
  return toMap(lat, long, width, height);
}

/**
 * SVG path data for GeoJSON MultiPolygon coordinates ([longitude, latitude] rings), with the same
 * projection as `project`: one closed subpath per ring, so holes cut out with the even-odd rule.
 */
export function outlinePath(polygons: number[][][][], width: number, height: number): string {
  return polygons.flat().filter((ring) => ring.length > 2).map((ring) =>
    `M${ring.map(([long, lat]) => { const p = toMap(lat, long, width, height); return `${p.x} ${p.y}`; }).join('L')}Z`).join('');
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
