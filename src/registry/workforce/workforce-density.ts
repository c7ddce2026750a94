import { DISTRICT_FACTS } from '../../seed/data/rwanda.ts';
import { districtName, isDistrictLocation, shippedCensus, type DistrictPopulation } from './district-population.ts';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { sdgCadreGroups, type CadreHierarchy } from './cadre.ts';
import { facilitiesOf, isCurrent, localReference, type RoleLike } from './practitioner-role-rules.ts';

/** WHO's SDG 3.c composite index: 4.45 doctors, nurses and midwives per 1,000 people. */
export const defaultThreshold = 4.45;

/** A person counted in planning: their cadre group and the districts they work in. */
export interface Worker {
  group: string;
  districts: string[];
}

export interface DistrictDensity {
  district: string;
  population: number;
  /** The year and source of that population figure, and the district Location that stated it (if one did). */
  populationYear: number;
  populationSource: string;
  populationLocation?: string;
  /** Workers by cadre group (fractions when someone works in several districts). */
  byGroup: Record<string, number>;
  /** Workers of the groups the threshold is about. */
  counted: number;
  /** counted per 1,000 people. */
  density: number;
  /** Workers still needed to reach the threshold (0 when at or above it). */
  gap: number;
  below: boolean;
}

export interface DensityReport {
  threshold: number;
  countedGroups: string[];
  groups: string[];
  population: number;
  counted: number;
  density: number;
  /** Workers whose facilities could not be placed in a known district. */
  unplaced: number;
  districts: DistrictDensity[];
}

/** The shipped 2022 census figures, what planning uses where no district Location states a population. */
export const censusPopulations: ReadonlyMap<string, DistrictPopulation> =
  new Map(Object.entries(DISTRICT_FACTS).map(([name, f]) => [name, { population: f.population, ...shippedCensus }]));

/**
 * Health workers per 1,000 people by district, furthest below the threshold first. Every worker counts
 * once in the country: someone working in k districts counts 1/k in each, so district figures add up
 * to the national headcount instead of counting a rotating specialist ten times.
 */
export function computeDensity(workers: Worker[], options: { threshold: number; countedGroups: readonly string[]; groups: readonly string[]; populations?: ReadonlyMap<string, DistrictPopulation> }): DensityReport {
  const populations = options.populations ?? censusPopulations;
  const byDistrict = new Map<string, Record<string, number>>([...populations.keys()].map((d) => [d, {}]));
  let unplaced = 0;
  for (const w of workers) {
    const districts = [...new Set(w.districts)].filter((d) => byDistrict.has(d));
    if (districts.length === 0) {
      unplaced++;
      continue;
    }
    for (const d of districts) {
      const counts = byDistrict.get(d) as Record<string, number>;
      counts[w.group] = (counts[w.group] ?? 0) + 1 / districts.length;
    }
  }
  const counted = new Set(options.countedGroups);
  const rows: DistrictDensity[] = [...byDistrict].map(([district, byGroup]) => {
    const figure = populations.get(district) as DistrictPopulation;
    const pop = figure.population;
    const n = Object.entries(byGroup).reduce((s, [g, v]) => s + (counted.has(g) ? v : 0), 0);
    const density = pop > 0 ? (n / pop) * 1000 : 0;
    return {
      district, population: pop, populationYear: figure.year, populationSource: figure.source,
      ...(figure.location ? { populationLocation: figure.location } : {}),
      byGroup: Object.fromEntries(Object.entries(byGroup).map(([g, v]) => [g, round(v)])),
      counted: round(n), density: round(density, 6), gap: round(Math.max(0, (options.threshold * pop) / 1000 - n)), below: density < options.threshold,
    };
  });
  rows.sort((a, b) => a.density - b.density || a.district.localeCompare(b.district));
  const totalPopulation = rows.reduce((s, r) => s + r.population, 0);
  const totalCounted = rows.reduce((s, r) => s + r.counted, 0);
  return {
    threshold: options.threshold, countedGroups: [...options.countedGroups], groups: [...options.groups],
    population: totalPopulation, counted: round(totalCounted), density: round(totalPopulation > 0 ? (totalCounted / totalPopulation) * 1000 : 0, 6),
    unplaced, districts: rows,
  };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}


interface PlaceLike extends FhirResource {
  name?: string;
  type?: { coding?: { code?: string }[] }[];
  address?: { district?: string } | { district?: string }[];
  partOf?: { reference?: string };
}

/**
 * The district of each facility: a Location that is itself a district, else the district of its
 * address, else its parent's (partOf, as the facility registry's hierarchy runs); an Organization by
 * its address.
 */
async function districtsOfFacilities(repo: FhirRepository, facilityRefs: string[]): Promise<Map<string, string | undefined>> {
  const resolved = new Map<string, string | undefined>();
  const places = new Map<string, PlaceLike>();
  let wanted = [...new Set(facilityRefs)];
  for (let depth = 0; depth < 8 && wanted.length > 0; depth++) {
    const versions = await repo.readMany(wanted.map((r) => ({ type: r.split('/')[0], id: r.split('/')[1] })));
    for (const v of versions) places.set(`${v.resourceType}/${v.id}`, JSON.parse(v.json as string) as PlaceLike);
    wanted = [...places.values()].map((p) => localReference(p.partOf)).filter((r): r is string => !!r && r.startsWith('Location/') && !places.has(r));
  }
  const districtOf = (ref: string, seen: Set<string>): string | undefined => {
    if (resolved.has(ref)) return resolved.get(ref);
    const place = places.get(ref);
    if (!place || seen.has(ref)) return undefined;
    seen.add(ref);
    const own = isDistrictLocation(place) ? districtName(place.name) : undefined;
    const addresses = Array.isArray(place.address) ? place.address : place.address ? [place.address] : [];
    const fromAddress = addresses.map((a) => districtName(a.district)).find(Boolean);
    const parent = localReference(place.partOf);
    const district = own ?? fromAddress ?? (place.resourceType === 'Location' && parent ? districtOf(parent, seen) : undefined);
    resolved.set(ref, district);
    return district;
  };
  for (const ref of facilityRefs) districtOf(ref, new Set());
  return resolved;
}

/** Everyone holding a current role today, with their cadre group and districts, read from the store. */
export async function loadWorkers(repo: FhirRepository, cadres: CadreHierarchy, now = new Date()): Promise<Worker[]> {
  const rows = await repo.sql.query<{ resource_type: string; id: string; version_id: number; last_updated: Date; content: Uint8Array }>(
    `SELECT resource_type, id, version_id, last_updated, content FROM resource WHERE resource_type = 'PractitionerRole' AND NOT deleted`);
  const roles = (await Promise.all(rows.rows.map((r) => repo.fromRow(r))))
    .map((v) => JSON.parse(v.json as string) as RoleLike)
    .filter((r) => isCurrent(r, now) && localReference(r.practitioner)?.startsWith('Practitioner/'));
  const practitionerIds = [...new Set(roles.map((r) => (localReference(r.practitioner) as string).slice('Practitioner/'.length)))];
  const practitioners = await repo.readMany(practitionerIds.map((id) => ({ type: 'Practitioner', id })));
  const active = new Set(practitioners.filter((p) => (JSON.parse(p.json as string) as { active?: boolean }).active !== false).map((p) => `Practitioner/${p.id}`));
  const districts = await districtsOfFacilities(repo, roles.flatMap(facilitiesOf));
  const byWorker = new Map<string, Worker>();
  for (const role of roles) {
    const who = localReference(role.practitioner) as string;
    if (!active.has(who)) continue;
    const group = (role.code ?? []).flatMap((cc) => cc.coding ?? []).map((c) => cadres.group(c.system, c.code)).find(Boolean) ?? 'uncoded';
    const w = byWorker.get(who) ?? { group, districts: [] };
    // Someone holding two cadres counts once, under the one the code system lists first.
    if (cadres.rank(group) < cadres.rank(w.group)) w.group = group;
    for (const f of facilitiesOf(role)) {
      const d = districts.get(f);
      if (d) w.districts.push(d);
    }
    byWorker.set(who, w);
  }
  return [...byWorker.values()];
}

export { sdgCadreGroups };
