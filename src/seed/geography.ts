/**
 * Rwanda's administrative geography: the real provinces and districts (from
 * data/provinces-districts.json) and, below them, synthetic sectors, cells and villages with
 * Kinyarwanda-like names, in the real proportions (~416 sectors, ~2,148 cells, ~14,800 villages).
 */
import adminMap from './data/provinces-districts.json' with { type: 'json' };
import { DISTRICT_FACTS, type DistrictFacts } from './data/rwanda.ts';
import { distinctPlaceNames } from './names.ts';
import type { Rng } from './prng.ts';

export interface Province {
  name: string;
  kinyarwanda: string;
  slug: string;
  /** Stable FHIR id of its Location. */
  locationId: string;
  districts: District[];
}

export interface Sector {
  name: string;
  cells: Cell[];
}

export interface Cell {
  name: string;
  villages: string[];
}

export interface District {
  name: string;
  slug: string;
  locationId: string;
  province: Province;
  facts: DistrictFacts;
  sectors: Sector[];
}

export interface Geography {
  country: { name: string; iso3166: string; locationId: string };
  provinces: Province[];
  districts: District[];
  /** Where the administrative map comes from (kept from the source file). */
  source: string;
}

export function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Province slugs drop the generic words: "Northern Province" → "northern", "Kigali City" → "kigali". */
function provinceSlug(name: string): string {
  return slugify(name.replace(/\b(Province|City)\b/g, ''));
}

export function buildGeography(rng: Rng): Geography {
  const provinces: Province[] = [];
  const districts: District[] = [];
  for (const p of adminMap.provinces) {
    const slug = provinceSlug(p.name);
    const province: Province = { name: p.name, kinyarwanda: p.kinyarwanda, slug, locationId: `rw-province-${slug}`, districts: [] };
    for (const d of p.districts) {
      const facts = DISTRICT_FACTS[d];
      if (!facts) throw new Error(`no facts for district ${d}`);
      const dslug = slugify(d);
      const district: District = {
        name: d,
        slug: dslug,
        locationId: `rw-district-${dslug}`,
        province,
        facts,
        sectors: buildSectors(rng.fork(`district:${dslug}`), d),
      };
      province.districts.push(district);
      districts.push(district);
    }
    provinces.push(province);
  }
  return {
    country: { name: adminMap.country.name, iso3166: adminMap.country.iso3166, locationId: 'rw-country' },
    provinces,
    districts,
    source: adminMap.source,
  };
}

/** 10–18 sectors (≈14), 3–7 cells each (≈5), 4–10 villages per cell (≈7). */
function buildSectors(rng: Rng, districtName: string): Sector[] {
  const taken = new Set<string>([districtName]);
  const sectorNames = distinctPlaceNames(rng, rng.int(10, 18), taken);
  return sectorNames.map((name) => {
    const cellNames = distinctPlaceNames(rng, rng.int(3, 7), taken);
    return {
      name,
      cells: cellNames.map((cell) => ({ name: cell, villages: distinctPlaceNames(rng, rng.int(4, 10), new Set([cell, name])) })),
    };
  });
}
