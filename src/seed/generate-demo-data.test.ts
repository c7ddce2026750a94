import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNationalId } from '../registry/client/national-id.ts';
import { RWANDA_BOUNDS } from './data/rwanda.ts';
import { addCodeSystem, checkFhirResource } from './fhir-check.ts';
import { SYSTEMS, type FhirResource, type FhirTransactionBundle } from './fhir.ts';
import { countResources, DEFAULT_DEMO_DATA_OPTIONS, generateDemoData } from './generate-demo-data.ts';
import { CATALOGUE } from '../registry/product/catalogue-data.ts';

// One default-size dataset shared by the read-only tests below.
const t0 = performance.now();
const bundles = generateDemoData();
const generationMs = performance.now() - t0;
const asOfYear = Number(DEFAULT_DEMO_DATA_OPTIONS.asOf.slice(0, 4));
const asOfMs = Date.parse(`${DEFAULT_DEMO_DATA_OPTIONS.asOf}T00:00:00+02:00`);

type AnyResource = FhirResource & Record<string, any>;

function resources(bs: FhirTransactionBundle[], type?: string): AnyResource[] {
  return bs.flatMap((b) => b.entry.map((e) => e.resource as AnyResource)).filter((r) => !type || r.resourceType === type);
}

/** Every Reference.reference string inside a value. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

function nationalIds(p: AnyResource): { use: string; value: string }[] {
  return (p.identifier ?? []).filter((i: any) => i.system === SYSTEMS.nationalId);
}

/** What makes two patient-data resources structurally different. */
function variantKey(r: AnyResource): string {
  const code = (cc: any) => cc?.coding?.[0]?.code;
  switch (r.resourceType) {
    case 'Patient':
      return ['Patient', r.identifier?.length, !!r.contact, r.birthDate.length, !!r.telecom, !!r.maritalStatus].join('|');
    case 'Encounter':
      return ['Encounter', r.class.code, r.status, code(r.type[0]), !!r.diagnosis, !!r.reasonReference, !!r.reasonCode, !!r.hospitalization].join('|');
    case 'Observation':
      return ['Observation', code(r.code)].join('|');
    case 'Condition':
      return ['Condition', code(r.code), code(r.clinicalStatus)].join('|');
    case 'MedicationRequest':
      return ['MedicationRequest', code(r.medicationCodeableConcept), r.status, code(r.category[0])].join('|');
    case 'Immunization':
      return ['Immunization', code(r.vaccineCode), Object.keys(r.protocolApplied[0]).join(',')].join('|');
    default:
      return `${r.resourceType}|${Object.keys(r).join(',')}`;
  }
}

describe('generateDemoData: determinism', () => {
  test('the same options give byte-identical bundles', () => {
    const a = JSON.stringify(generateDemoData({ seed: 7, patients: 40 }));
    const b = JSON.stringify(generateDemoData({ seed: 7, patients: 40 }));
    assert.equal(a, b);
  });
  test('the default dataset is reproducible', () => {
    assert.equal(JSON.stringify(generateDemoData()), JSON.stringify(bundles));
  });
  test('another seed gives other data but the same administrative and facility ids', () => {
    const a = generateDemoData({ seed: 1, patients: 25 });
    const b = generateDemoData({ seed: 2, patients: 25 });
    assert.notEqual(JSON.stringify(a), JSON.stringify(b));
    const ids = (bs: FhirTransactionBundle[]) => bs.slice(0, 2).flatMap((x) => x.entry.map((e) => e.request.url));
    assert.deepEqual(ids(a), ids(b));
  });
});

describe('generateDemoData: counts and options', () => {
  test('default size', () => {
    const counts = countResources(bundles);
    console.log(`default dataset: ${bundles.length} bundles, generated in ${generationMs.toFixed(0)} ms`, counts);
    assert.equal(bundles.length, 3 + 200 / 25);
    assert.equal(counts.Patient, 200);
    assert.equal(counts.Organization, 1 + 4 + 30 * 2 + 3); // MoH + referral hospitals + 2 per district + 3 digital clinics
    assert.equal(counts.Location, 1 + 5 + 30 + 4 + 30 * 2 + 3);
    assert.equal(counts.HealthcareService, 3);
    assert.equal(counts.CodeSystem, 5); // medicines, facility levels, admin levels; the catalogue's classes and classification types
    assert.equal(counts.Medication, CATALOGUE.length);
    assert.equal(counts.MedicationKnowledge, CATALOGUE.length);
    // One role each, but a digital clinic's 3 specialists hold 7 (the clinic and 6 hospitals).
    assert.equal(counts.PractitionerRole, counts.Practitioner + 3 * 3 * 6);
    assert.ok(counts.Encounter >= 200 && counts.Encounter <= 800);
    for (const type of ['Observation', 'Condition', 'MedicationRequest', 'Immunization']) assert.ok(counts[type] > 0, type);
  });
  test('bundles are transactions, named and in load order', () => {
    assert.deepEqual(
      bundles.map((b) => b.id),
      ['demo-01-administrative', 'demo-02-facilities', 'demo-03-workforce', ...Array.from({ length: 8 }, (_, i) => `demo-${String(i + 4).padStart(2, '0')}-patients`)],
    );
    for (const b of bundles) {
      assert.equal(b.resourceType, 'Bundle');
      assert.equal(b.type, 'transaction');
    }
    for (const b of bundles.slice(3)) assert.equal(resources([b], 'Patient').length, 25);
  });
  test('every patient has 1–4 encounters', () => {
    const perPatient = new Map<string, number>();
    for (const e of resources(bundles, 'Encounter')) perPatient.set(e.subject.reference, (perPatient.get(e.subject.reference) ?? 0) + 1);
    assert.equal(perPatient.size, 200);
    for (const n of perPatient.values()) assert.ok(n >= 1 && n <= 4);
  });
  test('patients per bundle and the last, partial bundle', () => {
    const bs = generateDemoData({ patients: 30 });
    assert.deepEqual(bs.slice(3).map((b) => resources([b], 'Patient').length), [25, 5]);
    assert.equal(generateDemoData({ patients: 0 }).length, 3);
  });
  test('facilitiesPerDistrict counts the district hospital', () => {
    const one = generateDemoData({ patients: 25, facilitiesPerDistrict: 1 });
    assert.equal(resources(one, 'Organization').length, 1 + 4 + 30 + 3);
    assert.equal(resources(one, 'Location').filter((l) => l.type?.[1]?.coding?.[0]?.code === 'health-centre').length, 0);
    for (const p of resources(one, 'Patient')) assert.match(p.managingOrganization.reference, /^Organization\/rw-fac-dh-/);
    const four = generateDemoData({ patients: 0, facilitiesPerDistrict: 4, digitalClinics: 0 });
    assert.equal(resources(four, 'Organization').length, 1 + 4 + 30 * 4);
    assert.equal(resources(four, 'HealthcareService').length, 0);
  });
  test('rejects bad options', () => {
    assert.throws(() => generateDemoData({ patients: -1 }), RangeError);
    assert.throws(() => generateDemoData({ patients: 1.5 }), RangeError);
    assert.throws(() => generateDemoData({ facilitiesPerDistrict: 0 }), RangeError);
    assert.throws(() => generateDemoData({ asOf: '30/06/2026' }), RangeError);
    assert.throws(() => generateDemoData({ digitalClinics: -1 }), RangeError);
  });
});

describe('generateDemoData: bundle structure and references', () => {
  test('every entry has a request matching its resource, and a unique fullUrl', () => {
    const fullUrls = new Set<string>();
    for (const b of bundles) {
      for (const e of b.entry) {
        assert.ok(e.request, 'request');
        assert.match(e.fullUrl, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(!fullUrls.has(e.fullUrl), `duplicate fullUrl ${e.fullUrl}`);
        fullUrls.add(e.fullUrl);
        if (e.request.method === 'PUT') {
          assert.match(e.resource.id ?? '', /^[A-Za-z0-9\-.]{1,64}$/);
          assert.equal(e.request.url, `${e.resource.resourceType}/${e.resource.id}`);
        } else {
          assert.equal(e.request.method, 'POST');
          assert.equal(e.request.url, e.resource.resourceType);
          assert.equal(e.resource.id, undefined);
        }
      }
    }
  });
  test('reference data is PUT, patient data is POST', () => {
    for (const b of bundles.slice(0, 3)) for (const e of b.entry) assert.equal(e.request.method, 'PUT');
    for (const b of bundles.slice(3)) for (const e of b.entry) assert.equal(e.request.method, 'POST');
  });
  test('every reference resolves within its bundle or to a PUT id of an earlier bundle', () => {
    const earlier = new Set<string>();
    for (const b of bundles) {
      const here = new Set(b.entry.map((e) => e.fullUrl));
      for (const e of b.entry) {
        for (const r of referencesIn(e.resource)) {
          if (r.startsWith('urn:uuid:')) assert.ok(here.has(r), `${b.id}: ${r} is not in the bundle`);
          else assert.ok(earlier.has(r), `${b.id}: ${r} was not PUT by an earlier bundle`);
        }
      }
      for (const e of b.entry) if (e.request.method === 'PUT') earlier.add(e.request.url);
    }
  });
  test('stable ids for the administrative map', () => {
    const ids = new Set(bundles[0].entry.map((e) => e.request.url));
    for (const id of ['Organization/rw-moh', 'Location/rw-country', 'Location/rw-province-kigali', 'Location/rw-province-northern', 'Location/rw-district-musanze', 'Location/rw-district-nyarugenge']) {
      assert.ok(ids.has(id), id);
    }
  });
  test('every resource is tagged as test data', () => {
    for (const r of resources(bundles)) assert.deepEqual(r.meta.tag, [{ system: SYSTEMS.v3ActReason, code: 'HTEST', display: 'test health data' }]);
  });
});

describe('generateDemoData: valid FHIR R4', () => {
  /**
   * Validating all ~5,000 resources takes ~8 s, so by default every reference resource is
   * validated but only up to 3 patient-data resources per variant (type × code × status × shape);
   * HUZA_SEED_VALIDATE_ALL=1 validates every resource.
   */
  test('resources pass the R4 definitions (structure, invariants, required bindings, known codes, profiles)', () => {
    for (const cs of resources([bundles[0]], 'CodeSystem')) addCodeSystem(cs as never);
    const all = process.env.HUZA_SEED_VALIDATE_ALL === '1';
    const perVariant = new Map<string, number>();
    const problems: string[] = [];
    let checked = 0;
    bundles.forEach((b, i) => {
      for (const e of b.entry) {
        if (i >= 3 && !all) {
          const key = variantKey(e.resource as AnyResource);
          const n = perVariant.get(key) ?? 0;
          if (n >= 3) continue;
          perVariant.set(key, n + 1);
        }
        checked++;
        for (const err of checkFhirResource(e.resource)) problems.push(`${b.id} ${e.resource.resourceType} ${e.fullUrl}: ${err}`);
      }
    });
    assert.deepEqual(problems.slice(0, 20), []);
    assert.ok(checked > 700);
  });
  test('admissions still in progress at asOf are valid too', () => {
    // seed 6 happens to have a patient admitted on asOf (rare: ~1 in 30 default-size datasets)
    const bs = generateDemoData({ seed: 6 });
    const open = resources(bs, 'Encounter').filter((e) => e.status === 'in-progress');
    assert.equal(open.length, 1);
    const enc = bs.flatMap((b) => b.entry).find((e) => e.resource === open[0])!;
    assert.equal(open[0].period.end, undefined);
    assert.equal(open[0].class.code, 'IMP');
    const related = bs.flatMap((b) => b.entry).filter((e) => (e.resource as AnyResource).encounter?.reference === enc.fullUrl);
    for (const r of [enc, ...related]) assert.deepEqual(checkFhirResource(r.resource), []);
    assert.ok(related.some((r) => (r.resource as AnyResource).status === 'active'));
    for (const r of related) {
      if (r.resource.resourceType === 'Condition') assert.equal((r.resource as AnyResource).clinicalStatus.coding[0].code, 'active');
    }
  });
  test('blood pressure panels carry systolic and diastolic components in mm[Hg]', () => {
    const panels = resources(bundles, 'Observation').filter((o) => o.code.coding[0].code === '85354-9');
    assert.ok(panels.length > 0);
    for (const o of panels) {
      assert.equal(o.valueQuantity, undefined);
      assert.deepEqual(o.component.map((c: any) => c.code.coding[0].code), ['8480-6', '8462-4']);
      for (const c of o.component) {
        assert.equal(c.code.coding[0].system, 'http://loinc.org');
        assert.deepEqual([c.valueQuantity.system, c.valueQuantity.code], ['http://unitsofmeasure.org', 'mm[Hg]']);
      }
      assert.ok(o.component[0].valueQuantity.value > o.component[1].valueQuantity.value);
    }
  });
  test('vital signs use LOINC codes and UCUM units', () => {
    const units: Record<string, string> = { '29463-7': 'kg', '8302-2': 'cm', '8310-5': 'Cel', '8867-4': '/min' };
    for (const o of resources(bundles, 'Observation')) {
      assert.equal(o.category[0].coding[0].code, 'vital-signs');
      const code = o.code.coding[0].code;
      if (code === '85354-9') continue;
      assert.ok(units[code], `unexpected code ${code}`);
      assert.deepEqual([o.valueQuantity.system, o.valueQuantity.code], ['http://unitsofmeasure.org', units[code]]);
    }
  });
  test('code systems of the clinical resources', () => {
    for (const c of resources(bundles, 'Condition')) assert.equal(c.code.coding[0].system, 'http://hl7.org/fhir/sid/icd-10');
    for (const i of resources(bundles, 'Immunization')) assert.equal(i.vaccineCode.coding[0].system, 'http://hl7.org/fhir/sid/cvx');
    for (const e of resources(bundles, 'Encounter')) assert.ok(['AMB', 'IMP'].includes(e.class.code));
    const medicines = new Set(resources([bundles[0]], 'CodeSystem').find((cs) => cs.url === SYSTEMS.essentialMedicines)!.concept.map((c: any) => c.code));
    for (const m of resources(bundles, 'MedicationRequest')) {
      assert.equal(m.medicationCodeableConcept.coding[0].system, SYSTEMS.essentialMedicines);
      assert.ok(medicines.has(m.medicationCodeableConcept.coding[0].code));
      assert.ok(m.dosageInstruction[0].text.length > 0);
    }
  });
});

describe('generateDemoData: patients', () => {
  const patients = resources(bundles, 'Patient');

  test('national IDs parse and agree with birth year and gender', () => {
    const seen = new Set<string>();
    let withId = 0;
    for (const p of patients) {
      const ids = nationalIds(p);
      const birthYear = Number(p.birthDate.slice(0, 4));
      const age = asOfYear - birthYear;
      if (ids.length === 0) {
        assert.ok(age <= 17, `an adult without a national ID (born ${p.birthDate})`);
        continue;
      }
      withId++;
      assert.ok(age >= 16, `national ID before 16 (born ${p.birthDate})`);
      assert.equal(ids.filter((i) => i.use === 'official').length, 1);
      for (const id of ids) {
        const parsed = parseNationalId(id.value, { currentYear: asOfYear });
        assert.ok(parsed.ok, `${id.value}: ${!parsed.ok && parsed.message}`);
        assert.equal(parsed.value.birthYear, birthYear);
        assert.equal(parsed.value.sex, p.gender);
        assert.ok(!seen.has(id.value), `duplicate national ID ${id.value}`);
        seen.add(id.value);
      }
      const current = parseNationalId(ids.find((i) => i.use === 'official')!.value, { currentYear: asOfYear });
      for (const old of ids.filter((i) => i.use === 'old')) {
        const o = parseNationalId(old.value, { currentYear: asOfYear });
        assert.ok(o.ok && current.ok && o.value.issue === current.value.issue - 1 && o.value.sequence === current.value.sequence);
      }
    }
    assert.ok(withId > 100);
  });
  test('birth dates: full dates, and some with only the year', () => {
    for (const p of patients) assert.match(p.birthDate, /^\d{4}(-\d{2}-\d{2})?$/);
    assert.ok(patients.some((p) => p.birthDate.length === 4));
    assert.ok(patients.filter((p) => p.birthDate.length === 10).length > 150);
  });
  test('Rwandan contact details and addresses', () => {
    for (const p of patients) {
      for (const t of p.telecom ?? []) assert.match(t.value, /^\+2507[2389]\d{7}$/);
      const a = p.address[0];
      assert.equal(a.country, 'RW');
      assert.ok(a.district && a.state);
      const ext = Object.fromEntries(a.extension.map((x: any) => [x.url, x.valueString]));
      assert.ok(ext[SYSTEMS.addressSectorExt] && ext[SYSTEMS.addressCellExt] && ext[SYSTEMS.addressVillageExt]);
      assert.match(p.managingOrganization.reference, /^Organization\/rw-fac-/);
      assert.match(p.generalPractitioner[0].reference, /^Practitioner\/rw-pr-/);
      const cbhi = (p.identifier ?? []).find((i: any) => i.system === SYSTEMS.cbhi);
      if (cbhi) assert.match(cbhi.value, /^\d{10}-\d{2}$/);
    }
    assert.ok(patients.filter((p) => p.identifier?.some((i: any) => i.system === SYSTEMS.cbhi)).length > 150);
  });
  test('children registered with their mother do not carry her name', () => {
    let families = 0;
    for (const b of bundles.slice(3)) {
      const inBundle = resources([b], 'Patient');
      for (const child of inBundle) {
        const contact = child.contact?.find((c: any) => c.relationship.some((r: any) => r.coding[0].code === 'MTH'));
        if (!contact) continue;
        families++;
        const mother = inBundle.find((m) => m.name[0].text === contact.name.text);
        assert.ok(mother, 'the mother is a patient of the same bundle');
        assert.equal(mother.gender, 'female');
        assert.notEqual(child.name[0].family, mother.name[0].family);
        assert.ok(Number(child.birthDate.slice(0, 4)) - Number(mother.birthDate.slice(0, 4)) >= 16);
        assert.equal(child.address[0].text, mother.address[0].text);
      }
    }
    assert.ok(families > 0);
  });
  test('names mix Kinyarwanda and French/Christian given names', () => {
    const given = patients.flatMap((p) => p.name[0].given as string[]);
    assert.ok(given.some((g) => ['Jean', 'Marie', 'Claude', 'Emmanuel', 'Aline', 'Divine', 'Eric', 'Jean de Dieu', 'Jean Bosco', 'Olivier', 'Chantal', 'Josiane'].includes(g)));
    assert.ok(given.some((g) => /^(Uwi|Muka|Niyo|Ishimwe|Iradukunda|Habi|Ingabire|Mugisha|Tuyishime|Umutoni|Keza|Manzi)/.test(g)));
  });
});

describe('generateDemoData: clinical plausibility', () => {
  const byUrl = new Map(bundles.flatMap((b) => b.entry.map((e) => [e.fullUrl, e.resource as AnyResource] as const)));
  const birth = (patientRef: string) => {
    const d = byUrl.get(patientRef)!.birthDate as string;
    return Date.parse(d.length === 4 ? `${d}-01-01T00:00:00+02:00` : `${d}T00:00:00+02:00`);
  };

  test('encounters happen between birth and asOf, and observations belong to the encounter patient', () => {
    for (const e of resources(bundles, 'Encounter')) {
      const start = Date.parse(e.period.start);
      assert.ok(start >= birth(e.subject.reference) && start < asOfMs);
      if (e.status === 'finished') assert.ok(Date.parse(e.period.end) > start && Date.parse(e.period.end) < asOfMs);
      else assert.equal(e.period.end, undefined);
    }
    for (const o of resources(bundles, 'Observation')) {
      assert.equal(byUrl.get(o.encounter.reference)!.subject.reference, o.subject.reference);
    }
  });
  test('immunizations are for children, after birth and before asOf', () => {
    const imms = resources(bundles, 'Immunization');
    assert.ok(imms.length > 0);
    for (const i of imms) {
      const t = Date.parse(i.occurrenceDateTime);
      assert.ok(t >= birth(i.patient.reference) && t < asOfMs);
      assert.ok(asOfYear - Number(byUrl.get(i.patient.reference)!.birthDate.slice(0, 4)) <= 15);
    }
  });
  test('resolved conditions have an abatement after the encounter, active ones none', () => {
    for (const c of resources(bundles, 'Condition')) {
      const status = c.clinicalStatus.coding[0].code;
      assert.equal(c.abatementDateTime !== undefined, status === 'resolved');
      const enc = byUrl.get(c.encounter.reference)!;
      if (status === 'resolved') {
        assert.equal(enc.status, 'finished');
        assert.ok(c.abatementDateTime > enc.period.end.slice(0, 10), `${c.abatementDateTime} after ${enc.period.end}`);
      }
      assert.ok(c.onsetDateTime <= enc.period.start.slice(0, 10));
    }
  });
  test('at most one active prescription per long-term medicine and patient', () => {
    const active = new Map<string, number>();
    for (const m of resources(bundles, 'MedicationRequest')) {
      if (m.status !== 'active' || m.dosageInstruction[0].timing.repeat.boundsDuration) continue;
      const key = `${m.subject.reference} ${m.medicationCodeableConcept.coding[0].code}`;
      active.set(key, (active.get(key) ?? 0) + 1);
    }
    assert.ok(active.size > 0);
    for (const [key, n] of active) assert.equal(n, 1, key);
  });
  test('facility positions lie inside Rwanda; virtual places (digital clinics) have none', () => {
    for (const l of resources(bundles, 'Location')) {
      if (l.physicalType?.coding?.[0]?.code === 'vi') {
        assert.equal(l.position, undefined, l.id);
        continue;
      }
      const { latitude, longitude } = l.position;
      assert.ok(latitude >= RWANDA_BOUNDS.latMin && latitude <= RWANDA_BOUNDS.latMax, `${l.id} latitude ${latitude}`);
      assert.ok(longitude >= RWANDA_BOUNDS.longMin && longitude <= RWANDA_BOUNDS.longMax, `${l.id} longitude ${longitude}`);
    }
  });
  test('the administrative map is the real one', () => {
    const map = JSON.parse(readFileSync(new URL('./data/provinces-districts.json', import.meta.url), 'utf8'));
    assert.ok(typeof map.source === 'string' && map.source.length > 0);
    const locations = resources([bundles[0]], 'Location');
    const provinces = locations.filter((l) => l.type[0].coding[0].code === 'province');
    const districts = locations.filter((l) => l.type[0].coding[0].code === 'district');
    assert.equal(provinces.length, 5);
    assert.equal(districts.length, 30);
    for (const p of map.provinces) {
      const loc = provinces.find((l) => l.name === p.name)!;
      assert.deepEqual(loc.alias, [p.kinyarwanda]);
      assert.deepEqual(loc.physicalType.coding[0].code, 'jdn');
      for (const d of p.districts) {
        const dl = districts.find((l) => l.name === d)!;
        assert.equal(bundles[0].entry.find((e) => e.fullUrl === dl.partOf.reference)!.resource, loc);
      }
    }
  });
  test('facilities: referral hospitals and a district hospital per district', () => {
    const names = resources([bundles[1]], 'Organization').map((o) => o.name);
    for (const n of ['University Teaching Hospital of Kigali', 'King Faisal Hospital', 'Rwanda Military Hospital', 'University Teaching Hospital of Butare']) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(names.filter((n) => n.endsWith('District Hospital')).length, 30);
  });
});

describe('generateDemoData: digital clinics', () => {
  const FACILITY_TYPE = 'https://huza.rw/fhir/CodeSystem/facility-type';
  const facilityBundle = bundles[1];
  const byFullUrl = new Map(bundles.slice(0, 2).flatMap((b) => b.entry.map((e) => [e.fullUrl, e.resource as AnyResource] as const)));
  const target = (reference: string) => byFullUrl.get(reference) ?? resources(bundles.slice(0, 2)).find((r) => `${r.resourceType}/${r.id}` === reference);
  const clinics = resources([facilityBundle], 'Location').filter((l) => l.physicalType?.coding?.[0]?.code === 'vi');
  const services = resources([facilityBundle], 'HealthcareService');

  test('three virtual clinics, represented as the facility import represents them', async () => {
    const { facilityResources } = await import('../registry/facility/facility-import.ts');
    assert.equal(clinics.length, 3);
    assert.deepEqual(clinics.map((c) => c.id), ['rw-fac-dc-01', 'rw-fac-dc-02', 'rw-fac-dc-03']);
    for (const clinic of clinics) {
      const org = target(clinic.managingOrganization.reference) as AnyResource;
      const service = services.find((s) => target(s.providedBy.reference) === org) as AnyResource;
      assert.ok(service, clinic.id);
      const district = target(clinic.partOf.reference) as AnyResource;
      assert.equal(district.type[0].coding[0].code, 'district');
      // What the import's builder makes for the same clinic, references aside (the seed's are to fullUrls).
      const served = service.location.slice(1).map((l: any) => (target(l.reference) as AnyResource).id);
      const expected = facilityResources({
        code: clinic.identifier[0].value, name: clinic.name, type: 'digital-clinic', locationId: clinic.id as string, organizationId: org.id as string,
        parentLocation: `Location/${district.id}`, district: district.name, serves: served,
      });
      const bare = (r: AnyResource) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'reference' || k === 'meta' ? undefined : v)));
      assert.deepEqual(bare(clinic), bare(expected.location as AnyResource));
      assert.deepEqual(bare(org), bare(expected.organization as AnyResource));
      assert.deepEqual(bare(service), bare(expected.service as AnyResource));
      assert.deepEqual(clinic.type[0].coding[0], { system: FACILITY_TYPE, code: 'digital-clinic', display: 'Digital clinic' });
      assert.equal(served.length, 6);
      assert.ok(served.every((id: string) => id.startsWith('rw-fac-dh-')), served.join());
    }
    // Each hospital is served by one clinic.
    const all = services.flatMap((s) => s.location.slice(1).map((l: any) => l.reference));
    assert.equal(new Set(all).size, 18);
  });

  test('they serve the districts furthest below the workforce threshold, the clinic in the first of them', async () => {
    const { computeDensity } = await import('../registry/workforce/workforce-density.ts');
    // The workforce without the clinics' specialists, as the density operation would count it.
    const roles = resources([bundles[2]], 'PractitionerRole').filter((r) => !(r.id as string).startsWith('rw-prrole-dc-'));
    const districtOfFacility = new Map(resources([facilityBundle], 'Location').map((l) => [l.id, l.address?.district]));
    const group: Record<string, string> = { 'specialist-doctor': 'medical-doctor', 'general-practitioner': 'medical-doctor', 'nurse-a1': 'nurse', 'midwife-a1': 'midwife' };
    const workers = roles.map((r) => ({ group: group[r.code[0].coding[0].code], districts: [districtOfFacility.get(r.location[0].reference.startsWith('urn:') ? (target(r.location[0].reference) as AnyResource).id : r.location[0].reference.split('/')[1]) as string] }));
    const order = computeDensity(workers, { threshold: 4.45, countedGroups: ['medical-doctor', 'nurse', 'midwife'], groups: ['medical-doctor', 'nurse', 'midwife'] }).districts.map((d) => d.district);
    const servedDistricts = services.map((s) => s.location.slice(1).map((l: any) => (target(l.reference) as AnyResource).address.district));
    assert.deepEqual(servedDistricts.flat(), order.slice(0, 18));
    for (const [i, clinic] of clinics.entries()) {
      assert.equal((target(clinic.partOf.reference) as AnyResource).name, servedDistricts[i][0]);
      assert.equal(clinic.name, `${servedDistricts[i][0]} Digital Clinic`);
    }
  });

  test('specialists hold a role at the clinic and at each hospital served: seven facilities, at most ten', () => {
    const roles = resources([bundles[2]], 'PractitionerRole').filter((r) => (r.id as string).startsWith('rw-prrole-dc-'));
    const byPractitioner = new Map<string, AnyResource[]>();
    for (const r of roles) byPractitioner.set(r.practitioner.reference, [...(byPractitioner.get(r.practitioner.reference) ?? []), r]);
    assert.equal(byPractitioner.size, 9);
    for (const [who, held] of byPractitioner) {
      const places = new Set(held.map((r) => r.location[0].reference));
      assert.equal(places.size, 7, who);
      assert.ok(places.size <= 10);
      assert.ok(held.every((r) => r.code[0].coding[0].code === 'specialist-doctor' && r.specialty?.length === 1));
      const clinicRole = held.find((r) => /^Location\/rw-fac-dc-0\d$/.test(r.location[0].reference));
      assert.ok(clinicRole, `${who} has a role at the clinic`);
      assert.equal(clinicRole.organization.reference, clinicRole.location[0].reference.replace('Location', 'Organization'));
    }
  });
});
