/**
 * Deterministic generator of a small, realistic Rwanda dataset as FHIR R4 transaction bundles.
 *
 * Load order (each bundle only references resources of the same bundle, by urn:uuid fullUrl, or
 * resources PUT with a stable id by an earlier bundle, e.g. `Location/rw-district-musanze`):
 *
 *   1. demo-01-administrative  Ministry of Health, local CodeSystems, product catalogue, country → provinces → districts (PUT)
 *   2. demo-02-facilities      referral hospitals, district hospitals, health centres: Organization + Location (PUT);
 *                              digital clinics: Organization + virtual Location + HealthcareService over the hospitals served
 *   3. demo-03-workforce       Practitioner + PractitionerRole (PUT); a digital clinic's specialists hold a role at the
 *                              clinic and at each hospital it serves
 *   4… demo-NN-patients        ~25 patients each with their Encounters, Observations, Conditions,
 *                              MedicationRequests and Immunizations (POST)
 *
 * Same options → byte-identical output: all randomness comes from a seeded PRNG, and all dates
 * are computed from `asOf` (never from the clock). Every resource is tagged HTEST (test data).
 *
 * Run directly to write the bundles as files:
 *   node src/seed/generate-demo-data.ts [--seed 1] [--patients 200] [--facilities-per-district 2] [--as-of 2026-06-30] [--out dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLocalDate } from './dates.ts';
import type { FhirTransactionBundle } from './fhir.ts';
import { DEFAULT_DIGITAL_CLINICS, planDigitalClinics } from './digital-clinics.ts';
import { buildGeography } from './geography.ts';
import { buildPatientBundle, type PatientContext } from './patients.ts';
import { Rng } from './prng.ts';
import {
  buildAdministrativeBundle,
  buildFacilityBundle,
  buildWorkforceBundle,
  planFacilities,
  planWorkforce,
  ReferenceResolver,
  type Facility,
} from './reference-data.ts';

export type { FhirTransactionBundle } from './fhir.ts';

export interface DemoDataOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Number of patients (default 200). */
  patients?: number;
  /** Facilities per district, the district hospital included: 1 hospital + (n − 1) health centres (default 2). */
  facilitiesPerDistrict?: number;
  /** Patients per patient bundle (default 25). */
  patientsPerBundle?: number;
  /** The "today" of the dataset, 'YYYY-MM-DD' in Kigali time: all data lies before it (default 2026-06-30). */
  asOf?: string;
  /** Digital clinics, each serving the hospitals of six districts furthest below the workforce threshold (default 3). */
  digitalClinics?: number;
}

export const DEFAULT_DEMO_DATA_OPTIONS = {
  seed: 1,
  patients: 200,
  facilitiesPerDistrict: 2,
  patientsPerBundle: 25,
  asOf: '2026-06-30',
  digitalClinics: 3,
} as const satisfies Required<DemoDataOptions>;

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** Generates the demo dataset: an array of FHIR `transaction` Bundles, in load order. */
export function generateDemoData(opts: DemoDataOptions = {}): FhirTransactionBundle[] {
  const o = { ...DEFAULT_DEMO_DATA_OPTIONS, ...stripUndefined(opts) };
  checkInteger('seed', o.seed, 0);
  checkInteger('patients', o.patients, 0);
  checkInteger('facilitiesPerDistrict', o.facilitiesPerDistrict, 1);
  checkInteger('patientsPerBundle', o.patientsPerBundle, 1);
  checkInteger('digitalClinics', o.digitalClinics, 0);
  const asOfMs = parseLocalDate(o.asOf);

  const root = new Rng(o.seed);
  const uuids = root.fork('uuid');
  const refs = new ReferenceResolver();

  const geo = buildGeography(root.fork('geography'));
  const facilities = planFacilities(geo, root.fork('facilities'), o.facilitiesPerDistrict);
  const staff = planWorkforce(facilities, root.fork('workforce'));
  // Digital clinics go where the workforce just planned is thinnest.
  const clinics = planDigitalClinics(geo, facilities, staff, root.fork('digital-clinics'), { ...DEFAULT_DIGITAL_CLINICS, clinics: o.digitalClinics });

  const bundles: FhirTransactionBundle[] = [
    buildAdministrativeBundle(geo, uuids, refs, o.asOf),
    buildFacilityBundle(facilities, uuids, refs, clinics),
    buildWorkforceBundle([...staff, ...clinics.flatMap((c) => c.specialists)], uuids, refs),
  ];

  const facilitiesByDistrict = new Map<string, Facility[]>();
  for (const d of geo.districts) {
    const own = facilities.filter((f) => f.district === d && f.level !== 'referral');
    own.sort((x, y) => Number(x.level !== 'district') - Number(y.level !== 'district')); // hospital first
    facilitiesByDistrict.set(d.slug, own);
  }
  const ctx: PatientContext = {
    geo,
    facilitiesByDistrict,
    referralHospitals: facilities.filter((f) => f.level === 'referral'),
    asOfMs,
    rng: root.fork('patients'),
    uuids,
    usedNidSequences: new Set(),
    usedCbhiHouseholds: new Set(),
  };
  for (let done = 0; done < o.patients; done += o.patientsPerBundle) {
    bundles.push(buildPatientBundle(ctx, bundles.length + 1, Math.min(o.patientsPerBundle, o.patients - done)));
  }
  return bundles;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Resource counts by type over all bundles. */
export function countResources(bundles: FhirTransactionBundle[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const b of bundles) for (const e of b.entry) counts[e.resource.resourceType] = (counts[e.resource.resourceType] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

// ---- command line ------------------------------------------------------------------------------

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      patients: { type: 'string' },
      'facilities-per-district': { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const t0 = performance.now();
  const bundles = generateDemoData({
    seed: num(values.seed),
    patients: num(values.patients),
    facilitiesPerDistrict: num(values['facilities-per-district']),
    asOf: values['as-of'],
  });
  const ms = performance.now() - t0;
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    for (const b of bundles) writeFileSync(join(values.out, `${b.id}.json`), JSON.stringify(b, null, 2) + '\n');
  }
  const entries = bundles.reduce((n, b) => n + b.entry.length, 0);
  console.log(`${bundles.length} bundles, ${entries} resources, generated in ${ms.toFixed(0)} ms${values.out ? `, written to ${values.out}` : ''}`);
  console.table(countResources(bundles));
}
