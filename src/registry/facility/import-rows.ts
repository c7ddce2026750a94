import { parse } from 'csv-parse/sync';

/** One facility as an import file describes it, whatever the file's format. */
export interface ImportRow {
  /** Where it is in the file, for messages: the CSV line number, or the DHIS2 unit's position (1-based). */
  row: number;
  code: string;
  name: string;
  type: string;
  /** The district (name or Location id) the facility lies in, when no parent facility is given. */
  district?: string;
  /** A parent facility's code (a health post's health centre), in the file or in the registry. */
  parentCode?: string;
  latitude?: number;
  longitude?: number;
  phone?: string;
  email?: string;
  /** Digital clinics: the codes of the physical facilities they serve. */
  serves: string[];
  /** The DHIS2 organisation unit uid, kept as a second identifier so later exports match. */
  dhis2Id?: string;
}

export interface ImportIssue {
  /** 0 for the file as a whole. */
  row: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ParsedFile {
  rows: ImportRow[];
  issues: ImportIssue[];
}

/** The CSV columns, in the order the sample uses; only code, name and type are required (plus district or parent_code). */
export const csvColumns = ['code', 'name', 'type', 'district', 'parent_code', 'latitude', 'longitude', 'phone', 'email', 'serves'] as const;
const requiredColumns = ['code', 'name', 'type'];
const aliases: Record<string, string> = {
  facility_code: 'code', 'facility code': 'code', lat: 'latitude', long: 'longitude', lon: 'longitude', lng: 'longitude',
  parent: 'parent_code', 'parent code': 'parent_code', parent_facility: 'parent_code', telephone: 'phone', facility_type: 'type',
};

function number(value: string, what: string, row: number, issues: ImportIssue[]): number | undefined {
  if (value === '') return undefined;
  if (!/^[+-]?\d+(\.\d+)?$/.test(value)) {
    issues.push({ row, severity: 'error', message: `${what} '${value}' is not a decimal number` });
    return undefined;
  }
  return Number(value);
}

/**
 * Reads a facility CSV (UTF-8, comma-separated, header row). Row numbers are the file's line
 * numbers, the header being line 1, so a steward can go straight to the line in a spreadsheet.
 */
export function parseFacilityCsv(text: string): ParsedFile {
  const issues: ImportIssue[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return { rows: [], issues: [{ row: e.lines ?? 0, severity: 'error', message: `malformed CSV: ${e.message}` }] };
  }
  if (records.length === 0) return { rows: [], issues: [{ row: 0, severity: 'error', message: 'the file is empty' }] };
  const header = records[0].record.map((h) => {
    const name = h.trim().toLowerCase();
    return aliases[name] ?? name;
  });
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return { rows: [], issues: [{ row: 1, severity: 'error', message: `the header lacks column(s) ${missing.join(', ')} (expected ${csvColumns.join(',')})` }] };
  }
  const unknown = header.filter((h) => !(csvColumns as readonly string[]).includes(h));
  if (unknown.length > 0) issues.push({ row: 1, severity: 'warning', message: `column(s) ${unknown.join(', ')} are not read` });
  const rows: ImportRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const row = info.lines;
    if (record.length !== header.length) {
      issues.push({ row, severity: 'error', message: `malformed row: ${record.length} fields where the header has ${header.length}` });
      continue;
    }
    const get = (column: string) => {
      const i = header.indexOf(column);
      return i < 0 ? '' : record[i].trim();
    };
    const errorsBefore = issues.length;
    const latitude = number(get('latitude'), 'latitude', row, issues);
    const longitude = number(get('longitude'), 'longitude', row, issues);
    if (issues.length > errorsBefore) continue;
    rows.push({
      row, code: get('code'), name: get('name'), type: get('type'),
      district: get('district') || undefined, parentCode: get('parent_code') || undefined,
      latitude, longitude, phone: get('phone') || undefined, email: get('email') || undefined,
      serves: get('serves').split(/[;|]/).map((c) => c.trim()).filter(Boolean),
    });
  }
  return { rows, issues };
}

interface Dhis2Unit {
  id?: string;
  name?: string;
  code?: string;
  level?: number;
  parent?: { id?: string };
  geometry?: { type?: string; coordinates?: unknown };
  phoneNumber?: string;
  email?: string;
}

/** Guesses a facility type from the words DHIS2 names carry in Rwanda (English, French, Kinyarwanda). */
export function typeFromName(name: string): string | undefined {
  const n = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  if (/\b(referral|teaching|chuk|chub|kfh|rmh)\b/.test(n)) return 'referral-hospital';
  if (/\b(provincial)\b/.test(n)) return 'provincial-hospital';
  if (/\b(hospital|hopital|dh)\b/.test(n)) return 'district-hospital';
  if (/\b(health cent(re|er)|centre de sante|hc|cs|ikigo nderabuzima)\b/.test(n)) return 'health-centre';
  if (/\b(health post|poste de sante|hp|ps|poste)\b/.test(n)) return 'health-post';
  if (/\b(digital|tele|virtual)\b/.test(n)) return 'digital-clinic';
  if (/\b(clinic|clinique|polyclinic|dispensary|dispensaire)\b/.test(n)) return 'private-clinic';
  return undefined;
}

/**
 * Reads a DHIS2 organisation-unit export (`/api/organisationUnits?fields=id,name,code,level,parent,geometry&paging=false`).
 * The units at the deepest level (or `facilityLevel`) are the facilities; their ancestor at
 * `districtLevel` names the district. DHIS2 has no facility type, so it is read from the name.
 */
export function parseDhis2OrgUnits(text: string, options: { facilityLevel?: number; districtLevel?: number } = {}): ParsedFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { rows: [], issues: [{ row: 0, severity: 'error', message: `not JSON: ${(error as Error).message}` }] };
  }
  const units = (json as { organisationUnits?: unknown }).organisationUnits;
  if (!Array.isArray(units)) return { rows: [], issues: [{ row: 0, severity: 'error', message: 'no organisationUnits array' }] };
  const byId = new Map<string, Dhis2Unit>();
  for (const u of units as Dhis2Unit[]) if (u && typeof u.id === 'string') byId.set(u.id, u);
  const levels = (units as Dhis2Unit[]).map((u) => u?.level).filter((l): l is number => typeof l === 'number');
  const facilityLevel = options.facilityLevel ?? Math.max(0, ...levels);
  const districtLevel = options.districtLevel ?? 3;
  const issues: ImportIssue[] = [];
  const rows: ImportRow[] = [];
  (units as Dhis2Unit[]).forEach((u, i) => {
    const row = i + 1;
    if (!u || typeof u !== 'object' || typeof u.id !== 'string' || typeof u.name !== 'string') {
      issues.push({ row, severity: 'error', message: 'malformed organisation unit: id and name are required' });
      return;
    }
    if (u.level !== facilityLevel) return;
    let district: string | undefined;
    let parentCode: string | undefined;
    const parent = u.parent?.id ? byId.get(u.parent.id) : undefined;
    if (u.parent?.id && !parent) {
      issues.push({ row, severity: 'error', message: `${u.name}: unknown parent ${u.parent.id} (not in the export)` });
      return;
    }
    for (let a = parent, hops = 0; a && hops < 10; a = a.parent?.id ? byId.get(a.parent.id) : undefined, hops++) {
      if (a.level === districtLevel) {
        district = a.name;
        break;
      }
      if (a.level === facilityLevel) parentCode ??= a.code ?? a.id;
    }
    let latitude: number | undefined;
    let longitude: number | undefined;
    if (u.geometry !== undefined) {
      const c = u.geometry.coordinates;
      if (u.geometry.type !== 'Point' || !Array.isArray(c) || c.length !== 2 || c.some((x) => typeof x !== 'number')) {
        issues.push({ row, severity: 'error', message: `${u.name}: geometry must be a Point [longitude, latitude]` });
        return;
      }
      [longitude, latitude] = c as number[];
    }
    const type = typeFromName(u.name);
    if (!type) {
      issues.push({ row, severity: 'error', message: `${u.name}: the facility type cannot be told from the name` });
      return;
    }
    if (!u.code) issues.push({ row, severity: 'warning', message: `${u.name}: no code; the DHIS2 uid ${u.id} is used as facility code` });
    rows.push({
      row, code: u.code ?? u.id, name: u.name, type, district, parentCode, latitude, longitude,
      phone: u.phoneNumber, email: u.email, serves: [], dhis2Id: u.id,
    });
  });
  if (rows.length === 0 && issues.length === 0) issues.push({ row: 0, severity: 'error', message: `no organisation units at level ${facilityLevel}` });
  return { rows, issues };
}
