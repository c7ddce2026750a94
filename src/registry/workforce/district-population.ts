import type { FhirRepository, WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { DISTRICT_FACTS } from '../../seed/data/rwanda.ts';
import { workforceErrors } from './workforce-errors.ts';

/**
 * A district's population as the Ministry states it, on the district's Location: a complex extension with
 * `count` (valueInteger, people), `year` (valueDate, "2025" or a census day) and `source` (valueString,
 * e.g. "NISR projection 2025"). A Location may carry one per year; planning uses the latest year not after
 * the current one, so a projection can be entered ahead of its year and the census kept beside it.
 */
export const populationExtensionUrl = 'https://huza.rw/fhir/StructureDefinition/district-population';

/** What planning uses where no Location states a figure: the census table shipped in src/seed/data/rwanda.ts. */
export const shippedCensus = { year: 2022, source: 'Fifth Population and Housing Census 2022 (NISR), as shipped with Huza' } as const;

export interface PopulationFigure {
  count: number;
  year: number;
  source?: string;
}

/** The population a district is planned with, and where it comes from. */
export interface DistrictPopulation {
  population: number;
  year: number;
  source: string;
  /** `Location/<id>` when a registry Location stated it; absent for the shipped census. */
  location?: string;
}

interface Extension {
  url?: string;
  extension?: Extension[];
  [value: string]: unknown;
}

interface LocationLike extends FhirResource {
  name?: string;
  type?: { coding?: { system?: string; code?: string }[] }[];
  extension?: Extension[];
}

/** The earliest and latest years a population figure may be for. */
const firstYear = 1950;
const yearsAhead = 30;

/** "Musanze", "musanze", "Musanze District" → "Musanze" when it is one of the 30 districts. */
export function districtName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const wanted = name.trim().replace(/\s+district$/i, '').toLowerCase();
  return Object.keys(DISTRICT_FACTS).find((d) => d.toLowerCase() === wanted);
}

/** A Location typed as a district (admin-level `district`). */
export function isDistrictLocation(location: LocationLike): boolean {
  return location.resourceType === 'Location' && (location.type ?? []).some((t) => t.coding?.some((c) => c.code === 'district'));
}

export interface PopulationProblem {
  message: string;
  expression: string;
}

/** The population figures a Location states, and what is wrong with any of them (with the element's path). */
export function readPopulationFigures(location: LocationLike, now = new Date()): { figures: PopulationFigure[]; problems: PopulationProblem[] } {
  const figures: PopulationFigure[] = [];
  const problems: PopulationProblem[] = [];
  const lastYear = now.getUTCFullYear() + yearsAhead;
  for (const [i, ext] of (location.extension ?? []).entries()) {
    if (ext.url !== populationExtensionUrl) continue;
    const at = `Location.extension[${i}]`;
    const part = (name: string) => (ext.extension ?? []).find((e) => e.url === name);
    const count = part('count');
    const year = part('year');
    const source = part('source');
    const raw = count?.valueInteger ?? count?.valueDecimal ?? count?.valueString;
    if (count === undefined || raw === undefined) {
      problems.push({ message: 'a population figure needs its count (extension "count", valueInteger)', expression: at });
      continue;
    }
    if (typeof count.valueInteger !== 'number' || !Number.isInteger(count.valueInteger) || count.valueInteger < 1) {
      problems.push({ message: `the population must be a whole number of people above 0, not ${JSON.stringify(raw)}`, expression: `${at}.extension('count')` });
      continue;
    }
    const yearText = typeof year?.valueDate === 'string' ? year.valueDate : undefined;
    const y = yearText && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(yearText) ? Number(yearText.slice(0, 4)) : NaN;
    if (!(y >= firstYear && y <= lastYear)) {
      problems.push({ message: `a population figure needs the year it is for (extension "year", valueDate ${firstYear}–${lastYear}), not ${JSON.stringify(year?.valueDate ?? year?.valueInteger ?? year?.valueString ?? null)}`, expression: `${at}.extension('year')` });
      continue;
    }
    if (figures.some((f) => f.year === y)) {
      problems.push({ message: `two population figures for ${y}: keep one per year`, expression: at });
      continue;
    }
    const text = typeof source?.valueString === 'string' ? source.valueString.trim() : undefined;
    figures.push({ count: count.valueInteger, year: y, ...(text ? { source: text } : {}) });
  }
  return { figures, problems };
}

/** The figure in force: the latest year not after the current one (later ones are projections kept for later). */
export function figureInForce(figures: PopulationFigure[], now = new Date()): PopulationFigure | undefined {
  const thisYear = now.getUTCFullYear();
  return figures.filter((f) => f.year <= thisYear).sort((a, b) => b.year - a.year)[0];
}

export function populationExtension(figure: PopulationFigure): Extension {
  return {
    url: populationExtensionUrl,
    extension: [
      { url: 'count', valueInteger: figure.count },
      { url: 'year', valueDate: String(figure.year) },
      ...(figure.source ? [{ url: 'source', valueString: figure.source }] : []),
    ],
  };
}

/** The Location with this figure, replacing the one it stated for the same year (if any). */
export function withPopulationFigure<T extends LocationLike>(location: T, figure: PopulationFigure, now = new Date()): T {
  const sameYear = new Set(readPopulationFigures(location, now).figures.filter((f) => f.year === figure.year).map((f) => f.year));
  const kept = (location.extension ?? []).filter((e) => {
    if (e.url !== populationExtensionUrl) return true;
    const year = (e.extension ?? []).find((p) => p.url === 'year')?.valueDate;
    return !(typeof year === 'string' && sameYear.has(Number(year.slice(0, 4))));
  });
  return { ...location, extension: [...kept, populationExtension(figure)] };
}

interface LocationRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  content: Uint8Array;
}

/** The district Locations of the registry (type admin-level district), read through the repository. */
export async function districtLocations(repo: FhirRepository): Promise<LocationLike[]> {
  const rows = await repo.sql.query<LocationRow>(
    `SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.content FROM resource r
     WHERE r.resource_type = 'Location' AND NOT r.deleted AND EXISTS (
       SELECT 1 FROM sp_token t WHERE t.resource_type = 'Location' AND t.resource_id = r.id AND t.param = 'type' AND t.code = 'district')
     ORDER BY r.id`);
  const versions = await Promise.all(rows.rows.map((row) => repo.fromRow(row)));
  return versions.map((v) => JSON.parse(v.json as string) as LocationLike);
}

/**
 * The population each of the 30 districts is planned with: the figure in force on its district Location
 * when one states it (the Ministry's word replaces the shipped table), else the shipped 2022 census.
 */
export async function loadDistrictPopulations(repo: FhirRepository, now = new Date()): Promise<Map<string, DistrictPopulation>> {
  const out = new Map<string, DistrictPopulation>(Object.entries(DISTRICT_FACTS).map(([name, f]) => [name, { population: f.population, ...shippedCensus }]));
  for (const location of await districtLocations(repo)) {
    const district = districtName(location.name);
    if (!district) continue;
    const figure = figureInForce(readPopulationFigures(location, now).figures, now);
    if (!figure) continue;
    const current = out.get(district) as DistrictPopulation;
    // A stated figure replaces the shipped census whatever its year; between two Locations of one district, the later year.
    if (current.location && current.year >= figure.year) continue;
    out.set(district, {
      population: figure.count, year: figure.year, location: `Location/${location.id}`,
      source: figure.source ?? `Location/${location.id} (no source stated)`,
    });
  }
  return out;
}

/**
 * Location writes carrying population figures: only a district's Location may state one (named as one of
 * Rwanda's 30 districts), and each must be a whole number of people above 0 for a plausible year.
 */
export const populationRules: WriteHook = {
  types: ['Location'],
  async beforeWrite(_repo, resource) {
    const location = resource as LocationLike;
    const at = (location.extension ?? []).findIndex((e) => e.url === populationExtensionUrl);
    if (at < 0) return;
    if (!isDistrictLocation(location) || !districtName(location.name)) {
      throw workforceErrors.populationNotOnDistrict(location.name ?? location.id ?? '', `Location.extension[${at}]`);
    }
    const { problems } = readPopulationFigures(location);
    if (problems.length > 0) throw workforceErrors.invalidPopulation(problems);
  },
};
