import { parse } from 'csv-parse/sync';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import { districtLocations, districtName, withPopulationFigure, type PopulationFigure } from './district-population.ts';

export interface PopulationRowError {
  /** The file's line (the header is line 1). */
  row: number;
  message: string;
}

export interface PopulationUpdate {
  row: number;
  district: string;
  location: string;
  figure: PopulationFigure;
}

export interface PopulationImportReport {
  rows: number;
  updates: PopulationUpdate[];
  errors: PopulationRowError[];
  dryRun: boolean;
  imported: boolean;
}

const required = ['district', 'population', 'year'];

/** "476522", "476,522", "476 522" → 476522; anything else (a sign, a fraction, letters) → undefined. */
export function parsePopulation(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,3}([ ,_\u00a0\u202f]\d{3})+$|^\d+$/.test(t)) return undefined;
  const n = Number(t.replace(/[ ,_\u00a0\u202f]/g, ''));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Imports district populations from CSV, all or nothing: header `district,population,year[,source]`;
 * `district` is a district's name ("Musanze", "Musanze District") or the id of its Location
 * (rw-district-musanze). Every row is checked first (errors by file line, nothing written); then each
 * district Location gains the figure (replacing its figure for that year) in one transaction through the
 * repository, so the registry's write rules, validation and audit apply.
 */
export async function importPopulations(repo: FhirRepository, text: string, options: { dryRun?: boolean; now?: Date } = {}): Promise<PopulationImportReport> {
  const now = options.now ?? new Date();
  const report: PopulationImportReport = { rows: 0, updates: [], errors: [], dryRun: options.dryRun === true, imported: false };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (e) {
    report.errors.push({ row: Number((e as { lines?: number }).lines ?? 0), message: `not a CSV file: ${(e as Error).message}` });
    return report;
  }
  const [head, ...rows] = records;
  const columns = new Map((head?.record ?? []).map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = required.filter((c) => !columns.has(c));
  if (!head || missing.length > 0) {
    report.errors.push({ row: 1, message: `the header must name the columns district,population,year (and optionally source); it lacks ${missing.join(', ')}` });
    return report;
  }
  report.rows = rows.length;
  const locations = await districtLocations(repo);
  const byId = new Map(locations.map((l) => [l.id as string, l]));
  const byDistrict = new Map<string, typeof locations>();
  for (const l of locations) {
    const d = districtName(l.name);
    if (d) byDistrict.set(d, [...(byDistrict.get(d) ?? []), l]);
  }
  const seen = new Map<string, number>();
  const lastYear = now.getUTCFullYear() + 30;
  for (const { record, info } of rows) {
    const row = info.lines;
    const field = (name: string) => (record[columns.get(name) as number] ?? '').trim();
    if (record.length > columns.size) {
      report.errors.push({ row, message: `${record.length} fields where the header has ${columns.size}` });
      continue;
    }
    const given = field('district');
    const location = byId.get(given) ?? (districtName(given) ? byDistrict.get(districtName(given) as string)?.[0] : undefined);
    const problems: string[] = [];
    if (!given) problems.push('no district');
    else if (!districtName(given) && !byId.has(given)) problems.push(`'${given}' is not one of Rwanda's 30 districts (give its name or the id of its Location)`);
    else if (!location) problems.push(`${districtName(given)} has no district Location in the registry yet (load the administrative hierarchy first)`);
    else if ((byDistrict.get(districtName(location.name) ?? '') ?? []).length > 1 && !byId.has(given)) {
      problems.push(`${given} names several district Locations (${(byDistrict.get(districtName(location.name) ?? '') ?? []).map((l) => l.id).join(', ')}); give the id of the one to update`);
    }
    const count = parsePopulation(field('population'));
    if (count === undefined) problems.push(`population '${field('population')}' is not a whole number of people above 0`);
    const yearText = field('year');
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
    if (!(year >= 1950 && year <= lastYear)) problems.push(`year '${yearText}' is not a year between 1950 and ${lastYear}`);
    if (problems.length > 0) {
      report.errors.push({ row, message: problems.join('; ') });
      continue;
    }
    const target = location as FhirResource;
    const key = `${target.id}|${year}`;
    if (seen.has(key)) {
      report.errors.push({ row, message: `${target.name as string} ${year} is already on row ${seen.get(key)}` });
      continue;
    }
    seen.set(key, row);
    const source = columns.has('source') ? field('source') : '';
    report.updates.push({
      row, district: districtName(target.name as string) as string, location: `Location/${target.id}`,
      figure: { count: count as number, year, ...(source ? { source } : {}) },
    });
  }
  if (report.errors.length > 0 || report.dryRun || report.updates.length === 0) return report;
  let current: PopulationUpdate | undefined;
  try {
    await repo.withTransaction(async (tx) => {
      const updated = new Map<string, FhirResource>();
      for (const u of report.updates) {
        current = u;
        const id = u.location.slice('Location/'.length);
        const location = updated.get(id) ?? (byId.get(id) as FhirResource);
        const next = withPopulationFigure(location, u.figure, now);
        updated.set(id, next);
        await tx.update(next);
      }
    });
  } catch (e) {
    if (!(e instanceof FhirError)) throw e;
    report.errors = e.issues.map((i) => ({ row: current?.row ?? 0, message: i.diagnostics ?? i.code }));
    return report;
  }
  report.imported = true;
  return report;
}
