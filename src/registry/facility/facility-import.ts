import { readFileSync } from 'node:fs';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import { parseReference } from '../../fhir/search/parse-reference.ts';
import { FACILITY_CODE_SYSTEM } from './facility-rules.ts';
import { coordinateProblem, distanceKm } from './geo.ts';
import { parseDhis2OrgUnits, parseFacilityCsv, type ImportIssue, type ImportRow, type ParsedFile } from './import-rows.ts';
import { similarNames } from './name-similarity.ts';

export const FACILITY_TYPE_SYSTEM = 'https://huza.rw/fhir/CodeSystem/facility-type';
export const DHIS2_ORG_UNIT_SYSTEM = 'https://hmis.moh.gov.rw/fhir/id/organisation-unit';
const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
/** Two facilities this close with similar names are probably one. */
export const duplicateWithinKm = 1;

interface Concept { code: string; display: string; property?: { code: string; valueBoolean?: boolean }[]; concept?: Concept[] }

/** The selectable facility types of the shipped code system, code → display. */
export const facilityTypes: Map<string, string> = (() => {
  const cs = JSON.parse(readFileSync(new URL('../../terminology/code-systems/CodeSystem-huza-facility-type.json', import.meta.url), 'utf8')) as { concept: Concept[] };
  const out = new Map<string, string>();
  const walk = (concepts: Concept[]) => {
    for (const c of concepts) {
      if (!c.property?.some((p) => p.code === 'notSelectable' && p.valueBoolean)) out.set(c.code, c.display);
      walk(c.concept ?? []);
    }
  };
  walk(cs.concept);
  return out;
})();

export type ImportFormat = 'csv' | 'dhis2';

export interface ImportOptions {
  format: ImportFormat;
  dryRun: boolean;
  /** Facilities whose code is already registered are updated; otherwise such a row is an error. */
  update: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface PlannedFacility {
  row: number;
  code: string;
  name: string;
  action: 'create' | 'update';
  location: FhirResource;
  organization: FhirResource;
  /** Digital clinics: the service linking the clinic to the facilities it serves. */
  service?: FhirResource;
}

export interface ImportReport {
  format: ImportFormat;
  dryRun: boolean;
  /** Facilities read from the file. */
  rows: number;
  facilities: { row: number; code: string; name: string; action: 'create' | 'update'; location: string }[];
  errors: ImportIssue[];
  warnings: ImportIssue[];
  /** True only when every facility was stored (never in a dry run, never with errors). */
  imported: boolean;
}

interface RegisteredFacility {
  code: string;
  locationId: string;
  organizationId?: string;
  name: string;
  latitude?: number;
  longitude?: number;
  /** The Location id of its parent. */
  parentId?: string;
  json: FhirResource;
  organization?: FhirResource;
}

/** What the import compares against: every facility holding a code, and the districts by name and id. */
interface RegistryView {
  byCode: Map<string, RegisteredFacility>;
  codeOfLocation: Map<string, string>;
  districts: Map<string, string>;
  districtIds: Set<string>;
  takenIds: Set<string>;
}

async function readRegistry(repo: FhirRepository): Promise<RegistryView> {
  const coded = await repo.sql.query<{ resource_type: string; resource_id: string; code: string }>(
    `SELECT resource_type, resource_id, code FROM sp_token
     WHERE resource_type IN ('Location', 'Organization') AND param = 'identifier' AND system = $1`, [FACILITY_CODE_SYSTEM]);
  const stored = await repo.readMany(coded.rows.map((r) => ({ type: r.resource_type, id: r.resource_id })));
  const json = new Map(stored.map((v) => [`${v.resourceType}/${v.id}`, JSON.parse(v.json as string) as FhirResource]));
  const byCode = new Map<string, RegisteredFacility>();
  const codeOfLocation = new Map<string, string>();
  for (const r of coded.rows.filter((x) => x.resource_type === 'Location')) {
    const l = json.get(`Location/${r.resource_id}`);
    if (!l) continue;
    const position = l.position as { latitude?: number; longitude?: number } | undefined;
    const partOf = (l.partOf as { reference?: string } | undefined)?.reference;
    byCode.set(r.code, {
      code: r.code, locationId: r.resource_id, name: String(l.name ?? ''), latitude: position?.latitude, longitude: position?.longitude,
      parentId: partOf ? parseReference(partOf).id ?? undefined : undefined, json: l,
    });
    codeOfLocation.set(r.resource_id, r.code);
  }
  for (const r of coded.rows.filter((x) => x.resource_type === 'Organization')) {
    const f = byCode.get(r.code);
    if (f) {
      f.organizationId = r.resource_id;
      f.organization = json.get(`Organization/${r.resource_id}`);
    }
  }
  const districtRows = await repo.sql.query<{ resource_id: string; name: string }>(
    `SELECT t.resource_id, s.exact AS name FROM sp_token t
     JOIN resource r ON r.resource_type = 'Location' AND r.id = t.resource_id AND NOT r.deleted
     LEFT JOIN sp_string s ON s.resource_type = 'Location' AND s.resource_id = t.resource_id AND s.param = 'name'
     WHERE t.resource_type = 'Location' AND t.param = 'type' AND t.code = 'district'`);
  const districts = new Map<string, string>();
  const districtIds = new Set<string>();
  for (const d of districtRows.rows) {
    districtIds.add(d.resource_id);
    if (d.name) districts.set(districtKey(d.name), d.resource_id);
  }
  return { byCode, codeOfLocation, districts, districtIds, takenIds: new Set(stored.map((v) => `${v.resourceType}/${v.id}`)) };
}

/** "Musanze", "musanze district", "Akarere ka Musanze" all name one district. */
function districtKey(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/^akarere ka\s+/, '').replace(/\s+district$/, '').trim();
}

function newId(code: string, used: Set<string>, row: number): string {
  let id = `rw-fac-${code.toLowerCase().replace(/[^a-z0-9.-]+/g, '-')}`.slice(0, 56);
  if (used.has(`Location/${id}`) || used.has(`Organization/${id}`)) id = `${id}-${row}`;
  return id;
}

export function parseImportFile(text: string, format: ImportFormat): ParsedFile {
  return format === 'csv' ? parseFacilityCsv(text) : parseDhis2OrgUnits(text);
}

/**
 * Checks every row against the file and the registry and plans the resources to write. Errors and
 * warnings carry row numbers; a plan with any error is never applied.
 */
export async function planImport(repo: FhirRepository, parsed: ParsedFile, options: Pick<ImportOptions, 'update'>): Promise<{ plan: PlannedFacility[]; issues: ImportIssue[] }> {
  const issues = [...parsed.issues];
  const error = (row: number, message: string) => issues.push({ row, severity: 'error', message });
  const warn = (row: number, message: string) => issues.push({ row, severity: 'warning', message });
  const registry = await readRegistry(repo);
  const firstRowOf = new Map<string, ImportRow>();
  const rows: ImportRow[] = [];
  for (const r of parsed.rows) {
    const before = issues.length;
    if (!r.code) error(r.row, 'code is required');
    else if (r.code.length > 64 || /\s/.test(r.code)) error(r.row, `code '${r.code}' must be at most 64 characters without spaces`);
    if (!r.name) error(r.row, 'name is required');
    if (!r.type) error(r.row, 'type is required');
    else if (!facilityTypes.has(r.type)) error(r.row, `type '${r.type}' is not a facility type (${[...facilityTypes.keys()].join(', ')})`);
    const first = r.code ? firstRowOf.get(r.code) : undefined;
    if (first) error(r.row, `duplicate code '${r.code}': already on row ${first.row}`);
    const registered = r.code ? registry.byCode.get(r.code) : undefined;
    if (registered && !options.update) {
      error(r.row, `code '${r.code}' is already registered (Location/${registered.locationId} '${registered.name}'); import with update to change it`);
    }
    if ((r.latitude === undefined) !== (r.longitude === undefined)) error(r.row, 'latitude and longitude go together: give both or neither');
    else if (r.latitude !== undefined) {
      const problem = coordinateProblem(r.latitude, r.longitude, true);
      if (problem) error(r.row, `invalid coordinates: ${problem}`);
    } else if (r.type !== 'digital-clinic') warn(r.row, 'no coordinates: the facility will not be found by near searches or on the map');
    if (r.code && !first) firstRowOf.set(r.code, r);
    if (issues.length === before || !issues.slice(before).some((i) => i.severity === 'error')) rows.push(r);
  }
  const inFile = new Map(rows.map((r) => [r.code, r]));
  const known = (code: string) => inFile.has(code) || registry.byCode.has(code) || firstRowOf.has(code);
  // Parents: a parent facility (in the file or registered), else a district.
  const parentOf = new Map<string, string>();
  for (const r of rows) {
    if (r.parentCode) {
      if (r.parentCode === r.code) error(r.row, `parent_code '${r.parentCode}' is the facility itself (a cycle)`);
      else if (!known(r.parentCode)) error(r.row, `unknown parent: no facility with code '${r.parentCode}' in the file or the registry`);
      else parentOf.set(r.code, r.parentCode);
    } else if (r.district) {
      if (!registry.districts.has(districtKey(r.district)) && !registry.districtIds.has(r.district)) error(r.row, `unknown parent: no district '${r.district}' in the registry`);
    } else error(r.row, 'unknown parent: give a district or a parent_code');
    for (const served of r.serves) if (!known(served)) error(r.row, `serves '${served}', which is no facility in the file or the registry`);
    if (r.serves.length > 0 && r.type !== 'digital-clinic') warn(r.row, 'serves is read for digital clinics only');
  }
  // Cycles through parent codes, the file's parents overriding the registry's.
  const registryParentCode = (code: string) => {
    const parentId = registry.byCode.get(code)?.parentId;
    return parentId ? registry.codeOfLocation.get(parentId) : undefined;
  };
  for (const r of rows) {
    const path = [r.code];
    for (let c = parentOf.get(r.code); c !== undefined && path.length < 32; c = parentOf.has(c) ? parentOf.get(c) : inFile.has(c) ? undefined : registryParentCode(c)) {
      path.push(c);
      if (c === r.code) {
        error(r.row, `parent_code makes a cycle: ${path.join(' → ')}`);
        break;
      }
    }
  }
  // Possible duplicates: similar names less than a kilometre apart, in the registry or earlier in the file.
  const placed: { code: string; name: string; latitude: number; longitude: number; where: string }[] = [...registry.byCode.values()]
    .filter((f) => f.latitude !== undefined && f.longitude !== undefined)
    .map((f) => ({ code: f.code, name: f.name, latitude: f.latitude as number, longitude: f.longitude as number, where: `Location/${f.locationId}` }));
  for (const r of rows) {
    if (r.latitude === undefined || r.longitude === undefined) continue;
    for (const other of placed) {
      if (other.code === r.code) continue;
      const km = distanceKm(r.latitude, r.longitude, other.latitude, other.longitude);
      if (km < duplicateWithinKm && similarNames(r.name, other.name)) {
        warn(r.row, `possible duplicate of ${other.where} '${other.name}' (code ${other.code}, ${km.toFixed(2)} km away)`);
      }
    }
    placed.push({ code: r.code, name: r.name, latitude: r.latitude, longitude: r.longitude, where: `row ${r.row}` });
  }
  if (issues.some((i) => i.severity === 'error')) return { plan: [], issues: sortIssues(issues) };
  return { plan: buildPlan(rows, registry), issues: sortIssues(issues) };
}

function sortIssues(issues: ImportIssue[]): ImportIssue[] {
  return [...issues].sort((a, b) => a.row - b.row);
}

/** Parents before children, so each write finds its partOf already stored. */
function inParentOrder(rows: ImportRow[]): ImportRow[] {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const depth = (r: ImportRow): number => {
    let d = 0;
    for (let p = r.parentCode ? byCode.get(r.parentCode) : undefined; p && d < 32; p = p.parentCode ? byCode.get(p.parentCode) : undefined) d++;
    return d;
  };
  return rows.map((r) => ({ r, d: depth(r) })).sort((a, b) => a.d - b.d || a.r.row - b.r.row).map((x) => x.r);
}

function withCoding(existing: unknown, system: string, code: string, display: string): unknown[] {
  const kept = ((existing as { coding?: { system?: string }[] }[] | undefined) ?? []).filter((cc) => !cc.coding?.some((c) => c.system === system));
  return [...kept, { coding: [{ system, code, display }] }];
}

function buildPlan(rows: ImportRow[], registry: RegistryView): PlannedFacility[] {
  const used = new Set(registry.takenIds);
  const ids = new Map<string, { locationId: string; organizationId: string }>();
  for (const r of rows) {
    const registered = registry.byCode.get(r.code);
    const locationId = registered?.locationId ?? newId(r.code, used, r.row);
    const organizationId = registered?.organizationId ?? (used.has(`Organization/${locationId}`) ? `${locationId}-org` : locationId);
    used.add(`Location/${locationId}`).add(`Organization/${organizationId}`);
    ids.set(r.code, { locationId, organizationId });
  }
  const locationIdOf = (code: string) => ids.get(code)?.locationId ?? registry.byCode.get(code)?.locationId as string;
  const organizationIdOf = (code: string) => ids.get(code)?.organizationId ?? registry.byCode.get(code)?.organizationId;
  return inParentOrder(rows).map((r) => {
    const registered = registry.byCode.get(r.code);
    const { locationId, organizationId } = ids.get(r.code) as { locationId: string; organizationId: string };
    const districtId = r.district ? (registry.districts.get(districtKey(r.district)) ?? r.district) : undefined;
    const { location, organization, service } = facilityResources({
      code: r.code, name: r.name, type: r.type, locationId, organizationId,
      parentLocation: r.parentCode ? `Location/${locationIdOf(r.parentCode)}` : `Location/${districtId}`,
      parentOrganization: r.parentCode ? organizationIdOf(r.parentCode) : undefined,
      district: r.district && !r.parentCode ? r.district : undefined,
      phone: r.phone, email: r.email, latitude: r.latitude, longitude: r.longitude, dhis2Id: r.dhis2Id,
      serves: r.serves.map(locationIdOf),
      previousLocation: registered?.json, previousOrganization: registered?.organization,
    });
    return { row: r.row, code: r.code, name: r.name, action: registered ? 'update' : 'create', location, organization, service };
  });
}

/** What a facility is made of in the registry: one row of an import, or a facility the demo seed plans. */
export interface FacilityInput {
  code: string;
  name: string;
  /** A selectable code of the facility-type code system (digital-clinic for a virtual one). */
  type: string;
  locationId: string;
  organizationId: string;
  /** `Location/<id>` of the parent place: the district, or the parent facility. */
  parentLocation: string;
  /** Id of the parent facility's Organization. */
  parentOrganization?: string;
  /** The district named in the address (facilities placed directly under a district). */
  district?: string;
  phone?: string;
  email?: string;
  latitude?: number;
  longitude?: number;
  dhis2Id?: string;
  /** Digital clinics: the Location ids of the physical facilities served. */
  serves?: string[];
  /** The stored Location and Organization when updating, whose other elements are kept. */
  previousLocation?: Record<string, unknown>;
  previousOrganization?: Record<string, unknown>;
}

/**
 * The Location, Organization and (for a digital clinic serving facilities) HealthcareService of a facility:
 * one Ministry facility code on both, the facility type from the shipped code system, a building or, for a
 * digital clinic, a virtual place (physicalType `vi`) without position. The import and the demo seed build
 * facilities here, so both represent them the same way.
 */
export function facilityResources(f: FacilityInput): { location: FhirResource; organization: FhirResource; service?: FhirResource } {
  const display = facilityTypes.get(f.type) as string;
  const digital = f.type === 'digital-clinic';
  const previous: Record<string, unknown> = f.previousLocation ?? {};
  const identifier = [
    ...(((previous.identifier as { system?: string }[] | undefined) ?? []).filter((i) => i.system !== FACILITY_CODE_SYSTEM && i.system !== DHIS2_ORG_UNIT_SYSTEM)),
    { use: 'official', system: FACILITY_CODE_SYSTEM, value: f.code },
    ...(f.dhis2Id ? [{ system: DHIS2_ORG_UNIT_SYSTEM, value: f.dhis2Id }] : []),
  ];
  const telecom = [
    ...(f.phone ? [{ system: 'phone', value: f.phone, use: 'work' }] : []),
    ...(f.email ? [{ system: 'email', value: f.email, use: 'work' }] : []),
  ];
  const location: FhirResource = {
    ...previous,
    resourceType: 'Location', id: f.locationId, identifier, status: 'active', name: f.name, mode: 'instance',
    type: withCoding(previous.type, FACILITY_TYPE_SYSTEM, f.type, display),
    ...(telecom.length > 0 ? { telecom } : {}),
    address: { ...(previous.address as object | undefined), country: 'RW', ...(f.district ? { district: f.district } : {}) },
    physicalType: { coding: [digital ? { system: PHYSICAL_TYPE, code: 'vi', display: 'Virtual' } : { system: PHYSICAL_TYPE, code: 'bu', display: 'Building' }] },
    ...(f.latitude !== undefined ? { position: { latitude: f.latitude, longitude: f.longitude } } : {}),
    managingOrganization: { reference: `Organization/${f.organizationId}`, display: f.name },
    partOf: { reference: f.parentLocation },
  };
  delete location.meta;
  const previousOrg: Record<string, unknown> = f.previousOrganization ?? {};
  const organization: FhirResource = {
    ...previousOrg,
    resourceType: 'Organization', id: f.organizationId, identifier, active: true, name: f.name,
    type: withCoding(previousOrg.type, FACILITY_TYPE_SYSTEM, f.type, display),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(f.parentOrganization ? { partOf: { reference: `Organization/${f.parentOrganization}` } } : {}),
  };
  delete organization.meta;
  const serves = f.serves ?? [];
  const service = digital && serves.length > 0 ? digitalClinicService(f.locationId, f.organizationId, f.name, serves) : undefined;
  return { location, organization, ...(service ? { service } : {}) };
}

/**
 * A digital clinic's offer: one HealthcareService provided by the clinic's Organization, at the
 * clinic's virtual Location and at each physical facility it serves, reached by video.
 */
export function digitalClinicService(locationId: string, organizationId: string, name: string, servedLocationIds: string[]): FhirResource {
  return {
    resourceType: 'HealthcareService', id: `${locationId.slice(0, 56)}-service`, active: true, name: `${name}: teleconsultation`,
    providedBy: { reference: `Organization/${organizationId}` },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-category', code: '35', display: 'Hospital' }], text: 'Telehealth' }],
    type: [{ coding: [{ system: FACILITY_TYPE_SYSTEM, code: 'digital-clinic', display: 'Digital clinic' }] }],
    location: [locationId, ...servedLocationIds].map((id) => ({ reference: `Location/${id}` })),
    communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'rw' }] }, { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] }, { coding: [{ system: 'urn:ietf:bcp:47', code: 'fr' }] }],
    appointmentRequired: true,
  };
}

/**
 * Imports facilities all or nothing: the file is checked as a whole first (errors with row numbers,
 * nothing written), then every facility is written in one transaction through the repository, so
 * the registry's write rules and validation apply to each and a late failure undoes the rest.
 */
export async function importFacilities(repo: FhirRepository, text: string, options: ImportOptions): Promise<ImportReport> {
  const parsed = parseImportFile(text, options.format);
  const { plan, issues } = await planImport(repo, parsed, options);
  const report: ImportReport = {
    format: options.format, dryRun: options.dryRun, rows: parsed.rows.length,
    facilities: plan.map((p) => ({ row: p.row, code: p.code, name: p.name, action: p.action, location: `Location/${p.location.id}` })),
    errors: issues.filter((i) => i.severity === 'error'),
    warnings: issues.filter((i) => i.severity === 'warning'),
    imported: false,
  };
  if (report.errors.length > 0 || options.dryRun) return report;
  let current: PlannedFacility | undefined;
  try {
    await repo.withTransaction(async (tx) => {
      for (const [i, p] of plan.entries()) {
        current = p;
        await tx.update(p.organization);
        await tx.update(p.location);
        options.onProgress?.(i + 1, plan.length);
      }
      // Services last: they point at facilities anywhere in the file.
      for (const p of plan) {
        current = p;
        if (p.service) await tx.update(p.service);
      }
    });
  } catch (e) {
    if (!(e instanceof FhirError)) throw e;
    report.errors = e.issues.map((i) => ({ row: current?.row ?? 0, severity: 'error' as const, message: i.diagnostics ?? i.code }));
    return report;
  }
  report.imported = true;
  return report;
}
