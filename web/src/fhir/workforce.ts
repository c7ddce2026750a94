import type { Resource } from './types.ts';

/** The WHO SDG 3.c index threshold (doctors, nurses and midwives per 1,000 people) and the one the ministry cites. */
export const whoThreshold = 4.45;
export const ministryThreshold = 4;

export const cadreSystem = 'https://huza.rw/fhir/CodeSystem/health-worker-cadre';
/** The groups of the shipped cadre code system, in its order, and the codes under each. */
export const cadreGroups: Record<string, string[]> = {
  'medical-doctor': ['specialist-doctor', 'general-practitioner'],
  nurse: ['nurse', 'nurse-a0', 'nurse-a1', 'nurse-a2'],
  midwife: ['midwife', 'midwife-a0', 'midwife-a1'],
  'clinical-officer': ['clinical-officer'],
  'dental-therapist': ['dental-therapist'],
  pharmacist: ['pharmacist'],
  'laboratory-technician': ['laboratory-technician'],
  physiotherapist: ['physiotherapist'],
  'community-health-worker': ['community-health-worker', 'chw-binome', 'chw-maternal'],
};
export const cadreCodes = Object.values(cadreGroups).flat();

interface ParameterPart {
  name: string;
  valueString?: string; valueDecimal?: number; valueInteger?: number; valueBoolean?: boolean; valueCode?: string;
  part?: ParameterPart[];
}
export interface Parameters extends Resource { resourceType: 'Parameters'; parameter?: ParameterPart[] }

export interface DistrictRow {
  name: string;
  population: number;
  /** The year of the population figure used, and where it comes from (a census, a ministry projection). */
  populationYear?: number;
  populationSource?: string;
  workers: number;
  density: number;
  gap: number;
  below: boolean;
  groups: Record<string, number>;
}

export interface DensityReport {
  threshold: number;
  counted: string[];
  population: number;
  workers: number;
  density: number;
  unplaced: number;
  districts: DistrictRow[];
}

const value = (p: ParameterPart) => p.valueDecimal ?? p.valueInteger ?? p.valueString ?? p.valueBoolean ?? p.valueCode;

/** Location/$workforce-density's Parameters as rows, in the server's order. */
export function parseDensity(parameters: Parameters): DensityReport {
  const report: DensityReport = { threshold: 0, counted: [], population: 0, workers: 0, density: 0, unplaced: 0, districts: [] };
  for (const p of parameters.parameter ?? []) {
    if (p.name === 'district') {
      const row: DistrictRow = { name: '', population: 0, populationYear: undefined, populationSource: undefined, workers: 0, density: 0, gap: 0, below: false, groups: {} };
      for (const part of p.part ?? []) {
        if (part.name === 'group') {
          const [cadre, workers] = part.part ?? [];
          if (cadre?.valueCode) row.groups[cadre.valueCode] = workers?.valueDecimal ?? 0;
        } else if (part.name in row) {
          (row as unknown as Record<string, unknown>)[part.name] = value(part);
        }
      }
      report.districts.push(row);
    } else if (p.name === 'cadre' && p.valueCode) {
      report.counted.push(p.valueCode);
    } else if (p.name in report) {
      (report as unknown as Record<string, unknown>)[p.name] = value(p);
    }
  }
  return report;
}

export type DistrictOrder = 'density' | 'shortfall';

/**
 * Furthest below first, two ways: by density (the share of people without care, comparable across
 * districts) or by shortfall (how many workers must be placed to reach the threshold, what a
 * deployment plan counts). Only the second depends on the threshold.
 */
export function sortDistricts(rows: DistrictRow[], order: DistrictOrder): DistrictRow[] {
  return [...rows].sort((a, b) =>
    (order === 'shortfall' ? b.gap - a.gap : 0) || a.density - b.density || a.name.localeCompare(b.name));
}

export function densityQuery(threshold: number, cadres: readonly string[] = []): string {
  const params = new URLSearchParams({ threshold: String(threshold) });
  if (cadres.length > 0) params.set('cadre', cadres.join(','));
  return `Location/$workforce-density?${params}`;
}

/** A threshold typed by a person: a positive number per 1,000, or undefined while it is not one. */
export function parseThreshold(input: string | number): number | undefined {
  const n = typeof input === 'number' ? input : Number(String(input).replace(',', '.'));
  return Number.isFinite(n) && n > 0 && n <= 1000 ? n : undefined;
}

export interface HealthWorkerSearch { name?: string; cadre?: string; facility?: string }

/** PractitionerRole search with the practitioner and location included: one request per page of results. */
export function healthWorkerQuery(search: HealthWorkerSearch, count = 20): string {
  const params = new URLSearchParams();
  if (search.name?.trim()) params.set('practitioner.name', search.name.trim());
  if (search.cadre) params.set('role', (cadreGroups[search.cadre] ?? [search.cadre]).map((c) => `${cadreSystem}|${c}`).join(','));
  if (search.facility?.trim()) params.set('location.name', search.facility.trim());
  params.append('_include', 'PractitionerRole:practitioner');
  params.append('_include', 'PractitionerRole:location');
  // The licence registry's Basic resources about the included practitioners.
  params.append('_revinclude:iterate', 'Basic:subject');
  params.set('_count', String(count));
  return `PractitionerRole?${params}`;
}

export interface AvailableTime { daysOfWeek?: string[]; allDay?: boolean; availableStartTime?: string; availableEndTime?: string }

/** FHIR's days of the week (availableTime.daysOfWeek), in order. */
export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "mon–fri 07:00–17:00": consecutive days folded, times without seconds. */
export function formatAvailability(times: AvailableTime[] | undefined, dayNames: Record<string, string>): string[] {
  return (times ?? []).map((t) => {
    const days = [...(t.daysOfWeek ?? [])].sort((a, b) => weekDays.indexOf(a) - weekDays.indexOf(b));
    const runs: string[][] = [];
    for (const d of days) {
      const last = runs.at(-1);
      if (last && weekDays.indexOf(d) === weekDays.indexOf(last.at(-1) as string) + 1) last.push(d);
      else runs.push([d]);
    }
    const dayText = runs.map((r) => (r.length > 2 ? `${dayNames[r[0]]}–${dayNames[r.at(-1) as string]}` : r.map((d) => dayNames[d]).join(', '))).join(', ');
    const hours = t.allDay ? '' : [t.availableStartTime, t.availableEndTime].filter(Boolean).map((h) => (h as string).slice(0, 5)).join('–');
    return [dayText, hours].filter(Boolean).join(' ');
  });
}
