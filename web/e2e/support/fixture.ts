/**
 * What the browser tests need a Huza server to hold: the accounts they log in with and the FHIR
 * resources their assertions are about. real-huza.ts loads it into the real server (accounts into
 * the account store, resources into the FHIR store, ids kept).
 *
 * Dates are relative to `now`, so the "accesses per week" chart and "expiring within 30 days" always
 * have something to show.
 */

export type Role =
  | 'exchange-admin' | 'registry-steward' | 'clinician' | 'specialist' | 'chw' | 'chw-supervisor' | 'regulator' | 'auditor' | 'patient';

export interface E2eAccount {
  username: string;
  /** At least 10 characters (Huza's minimum). */
  password: string;
  /** The `name` claim. */
  name: string;
  /** The `fhirUser` claim: a resource of `resources` below. */
  fhirUser: string;
  roles: Role[];
  /** Organization ids (the `huza_facilities` claim). */
  facilities: string[];
}

export type AccountKey = 'patient' | 'auditor' | 'regulator' | 'clinician' | 'steward' | 'admin';

/** Loosely typed FHIR: the fixture is data, checked by the server that loads it. */
export type FhirResource = { resourceType: string; id: string; [key: string]: unknown };

export interface E2eFixture {
  now: Date;
  accounts: Record<AccountKey, E2eAccount>;
  resources: FhirResource[];
  /** The resources as a FHIR transaction (PUT with the fixture's ids), for servers that load that way. */
  transaction(): { resourceType: 'Bundle'; type: 'transaction'; entry: { resource: FhirResource; request: { method: 'PUT'; url: string } }[] };
  /** Facts the tests assert on, derived from the data above. */
  expect: {
    patientName: string;
    patientNationalId: string;
    patientEventCount: number;
    patientEmergencyCount: number;
    specialistRef: string;
    specialistName: string;
    specialistEventCount: number;
    totalAuditEvents: number;
    failedEventCount: number;
    clinicianLicenceNumber: string;
    expiringPractitionerLicence: string;
    unlicensedPractitionerName: string;
    unlicensedPractitionerRef: string;
  };
}

export const e2ePassword = 'Huza-e2e-pass-2024';

const nid = 'https://moh.gov.rw/fhir/id/national-id';
const licenceId = 'https://moh.gov.rw/fhir/id/practitioner-licence';
const facilityId = 'https://moh.gov.rw/fhir/id/facility';
const actReason = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const sd = 'https://moh.gov.rw/fhir/StructureDefinition/';
const licenceType = 'https://moh.gov.rw/fhir/CodeSystem/licence-type';

/** ISO 7064 MOD 97-10 over the first 14 digits, as Huza's national-id module checks. */
function nationalId(first14: string): string {
  let rest = 0;
  for (const d of `${first14}00`) rest = (rest * 10 + Number(d)) % 97;
  return first14 + String(98 - rest).padStart(2, '0');
}

function day(now: Date, offsetDays: number): string {
  return new Date(now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function buildFixture(now: Date = new Date()): E2eFixture {
  const resources: FhirResource[] = [];
  const add = (r: FhirResource) => { resources.push(r); return r; };

  // Facilities
  const facilities = [
    { id: 'e2e-facility-chuk', name: 'University Teaching Hospital of Kigali (CHUK)', code: '0101' },
    { id: 'e2e-facility-kibagabaga', name: 'Kibagabaga District Hospital', code: '0207' },
    { id: 'e2e-facility-nyamata', name: 'Nyamata Health Centre', code: '0511' },
  ];
  for (const f of facilities) {
    add({ resourceType: 'Organization', id: f.id, active: true, name: f.name, identifier: [{ system: facilityId, value: f.code }] });
  }
  // The facilities as places (mCSD Locations) under their districts, for the facility registry's page and map.
  const adminLevel = 'https://moh.gov.rw/fhir/CodeSystem/admin-level';
  const facilityLevel = 'https://moh.gov.rw/fhir/CodeSystem/facility-level';
  for (const [id, name, lat, long] of [['e2e-district-nyarugenge', 'Nyarugenge', -1.95, 30.05], ['e2e-district-gasabo', 'Gasabo', -1.88, 30.13], ['e2e-district-bugesera', 'Bugesera', -2.23, 30.2]] as const) {
    add({ resourceType: 'Location', id, status: 'active', name, mode: 'instance', type: [{ coding: [{ system: adminLevel, code: 'district', display: 'District' }] }], position: { latitude: lat, longitude: long } });
  }
  for (const [i, district, level, lat, long] of [[0, 'nyarugenge', 'referral-hospital', -1.9536, 30.0606], [1, 'gasabo', 'district-hospital', -1.9308, 30.1127], [2, 'bugesera', 'health-centre', -2.1583, 30.0917]] as const) {
    const f = facilities[i];
    add({
      resourceType: 'Location', id: f.id.replace('facility', 'location'), status: 'active', name: f.name, mode: 'instance',
      identifier: [{ system: facilityId, value: f.code }],
      type: [{ coding: [{ system: facilityLevel, code: level }] }],
      telecom: [{ system: 'phone', value: '+250788300' + String(100 + i), use: 'work' }],
      address: { district: district[0].toUpperCase() + district.slice(1), country: 'RW' },
      position: { latitude: lat, longitude: long },
      managingOrganization: { reference: `Organization/${f.id}` },
      partOf: { reference: `Location/e2e-district-${district}` },
    });
  }

  // People
  const practitioner = (id: string, given: string, family: string, gender: string, extra: Record<string, unknown> = {}) =>
    add({ resourceType: 'Practitioner', id, active: true, name: [{ use: 'official', family, given: [given] }], gender, ...extra });

  const clinicianLicence = 'RMDC-A-10231';
  practitioner('e2e-clinician-1', 'Eric', 'Niyonzima', 'male', {
    identifier: [{ system: nid, value: nationalId('11985800123450') }, { system: licenceId, value: clinicianLicence }],
    telecom: [{ system: 'phone', value: '+250 788 123 456', use: 'work' }, { system: 'email', value: 'e.niyonzima@chuk.rw', use: 'work' }],
    address: [{ use: 'work', line: ['KN 4 Ave'], city: 'Kigali', district: 'Nyarugenge', state: 'Kigali City', country: 'RW' }],
    qualification: [{
      identifier: [{ system: licenceId, value: clinicianLicence }],
      code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', code: 'MD', display: 'Doctor of Medicine' }], text: 'Doctor of Medicine (general practice)' },
      period: { start: day(now, -700), end: day(now, 395) },
      issuer: { display: 'Rwanda Medical and Dental Council' },
    }],
  });
  practitioner('e2e-specialist-1', 'Diane', 'Ingabire', 'female', {
    identifier: [{ system: licenceId, value: 'RMDC-S-20417' }],
  });
  practitioner('e2e-nurse-1', 'Claudine', 'Uwimana', 'female');
  practitioner('e2e-pharmacist-1', 'Emmanuel', 'Nkurunziza', 'male');
  practitioner('e2e-chw-1', 'Jean Bosco', 'Habimana', 'male');
  practitioner('e2e-doctor-2', 'Alice', 'Mukeshimana', 'female');
  practitioner('e2e-auditor-1', 'Josiane', 'Mutoni', 'female', {
    telecom: [{ system: 'email', value: 'audit@moh.gov.rw', use: 'work' }],
  });
  practitioner('e2e-regulator-1', 'Patrick', 'Nshimiyimana', 'male', {
    telecom: [{ system: 'email', value: 'licensing@moh.gov.rw', use: 'work' }],
  });

  const patientNationalId = nationalId('11992700456780');
  add({
    resourceType: 'Patient', id: 'e2e-patient-1', active: true,
    name: [{ use: 'official', family: 'Uwase', given: ['Aline'] }],
    gender: 'female', birthDate: '1992-04-17',
    identifier: [{ system: nid, value: patientNationalId }, { system: 'https://moh.gov.rw/fhir/id/cbhi', value: '4820193377-02' }],
    telecom: [{ system: 'phone', value: '+250 722 555 018', use: 'mobile' }],
    address: [{ use: 'home', city: 'Kigali', district: 'Gasabo', state: 'Kigali City', country: 'RW', line: ['KG 11 Ave 23'] }],
  });
  add({ resourceType: 'Patient', id: 'e2e-patient-2', active: true, name: [{ use: 'official', family: 'Mugisha', given: ['Patrick'] }], gender: 'male', birthDate: '1978-09-02' });
  add({ resourceType: 'Patient', id: 'e2e-patient-3', active: true, name: [{ use: 'official', family: 'Ishimwe', given: ['Grace'] }], gender: 'female', birthDate: '2001-01-23' });

  // Two records the client registry cannot decide about alone (same names and birth year, different
  // birth dates and districts): they wait in the data steward's review queue.
  add({ resourceType: 'Patient', id: 'e2e-dup-a', active: true, name: [{ use: 'official', family: 'Mukeshimana', given: ['Jeanne'] }], gender: 'female', birthDate: '1985-03-02', address: [{ district: 'Gasabo', country: 'RW' }] });
  add({ resourceType: 'Patient', id: 'e2e-dup-b', active: true, name: [{ use: 'official', family: 'Mukeshimana', given: ['Jeanne'] }], gender: 'female', birthDate: '1985-09-12', address: [{ district: 'Kicukiro', country: 'RW' }] });
  for (const [id, given, family] of [['e2e-steward-1', 'Olivier', 'Habineza'], ['e2e-admin-1', 'Sandrine', 'Umutoni']]) {
    add({ resourceType: 'Practitioner', id, active: true, name: [{ use: 'official', family, given: [given] }] });
  }

  // Audit trail
  const who = {
    clinician: { reference: 'Practitioner/e2e-clinician-1', display: 'Dr. Eric Niyonzima' },
    specialist: { reference: 'Practitioner/e2e-specialist-1', display: 'Dr. Diane Ingabire' },
    chw: { reference: 'Practitioner/e2e-chw-1', display: 'Jean Bosco Habimana' },
    nurse: { reference: 'Practitioner/e2e-nurse-1', display: 'Claudine Uwimana' },
  };
  let seq = 0;
  const event = (o: {
    hoursAgo: number; agent: { reference: string; display: string }; patient: string; what: string;
    action?: 'C' | 'R' | 'U' | 'D' | 'E'; btg?: boolean; outcome?: '0' | '4' | '8' | '12';
  }) => {
    seq++;
    const purpose = o.btg
      ? [{ coding: [{ system: actReason, code: 'ETREAT', display: 'Emergency treatment' }, { system: actReason, code: 'BTG', display: 'break the glass' }] }]
      : [{ coding: [{ system: actReason, code: 'TREAT', display: 'Treatment' }] }];
    add({
      resourceType: 'AuditEvent',
      id: `e2e-audit-${String(seq).padStart(3, '0')}`,
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: o.action === 'U' ? 'update' : o.action === 'C' ? 'create' : 'read' }],
      action: o.action ?? 'R',
      recorded: new Date(now.getTime() - o.hoursAgo * 3_600_000).toISOString(),
      outcome: o.outcome ?? '0',
      ...(o.outcome && o.outcome !== '0' ? { outcomeDesc: 'Access denied: no care relationship' } : {}),
      purposeOfEvent: purpose,
      agent: [{ who: o.agent, requestor: true, ...(o.btg ? { purposeOfUse: [{ coding: [{ system: actReason, code: 'BTG', display: 'break the glass' }] }] } : {}) }],
      source: { site: 'huza', observer: { display: 'Huza' } },
      entity: [
        { what: { reference: o.patient }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' } },
        ...(o.what !== o.patient ? [{ what: { reference: o.what } }] : []),
      ],
    });
  };
  // Patient 1: routine care by the clinician, a specialist referral, one emergency access, a CHW visit.
  const p1 = 'Patient/e2e-patient-1';
  event({ hoursAgo: 20, agent: who.specialist, patient: p1, what: p1, btg: true });
  event({ hoursAgo: 30, agent: who.clinician, patient: p1, what: 'Observation/e2e-obs-1' });
  event({ hoursAgo: 75, agent: who.clinician, patient: p1, what: p1, action: 'U' });
  event({ hoursAgo: 200, agent: who.specialist, patient: p1, what: 'DiagnosticReport/e2e-dr-1' });
  event({ hoursAgo: 260, agent: who.chw, patient: p1, what: p1 });
  event({ hoursAgo: 420, agent: who.clinician, patient: p1, what: 'MedicationRequest/e2e-mr-1', action: 'C' });
  event({ hoursAgo: 600, agent: who.specialist, patient: p1, what: p1 });
  event({ hoursAgo: 900, agent: who.clinician, patient: p1, what: p1 });
  event({ hoursAgo: 1100, agent: who.clinician, patient: p1, what: 'Encounter/e2e-enc-1', action: 'C' });
  const patientEventCount = seq;
  // Other patients: enough events for the auditor's log to need a second page; two refused accesses.
  for (let i = 0; i < 56; i++) {
    event({
      hoursAgo: 5 + i * 23,
      agent: i % 3 === 0 ? who.chw : i % 3 === 1 ? who.nurse : who.clinician,
      patient: i % 2 ? 'Patient/e2e-patient-2' : 'Patient/e2e-patient-3',
      what: i % 2 ? 'Patient/e2e-patient-2' : 'Observation/e2e-obs-' + (100 + i),
    });
  }
  event({ hoursAgo: 50, agent: who.chw, patient: 'Patient/e2e-patient-2', what: 'Patient/e2e-patient-2', outcome: '4' });
  event({ hoursAgo: 51, agent: who.chw, patient: 'Patient/e2e-patient-3', what: 'Patient/e2e-patient-3', outcome: '8' });
  const totalAuditEvents = seq;

  // Licences
  const licence = (o: {
    id: string; kind: 'practitioner-licence' | 'facility-digital-health-licence'; subject: { reference: string; display: string };
    number: string; issuer: string; start: string; end: string; status: 'active' | 'suspended' | 'revoked' | 'expired'; scope?: string;
  }) => add({
    resourceType: 'Basic', id: o.id,
    code: { coding: [{ system: licenceType, code: o.kind }] },
    subject: o.subject,
    created: o.start,
    extension: [
      { url: `${sd}licence-number`, valueString: o.number },
      { url: `${sd}licence-issuer`, valueString: o.issuer },
      { url: `${sd}licence-period`, valuePeriod: { start: o.start, end: o.end } },
      { url: `${sd}licence-status`, valueCode: o.status },
      ...(o.scope ? [{ url: `${sd}licence-scope`, valueString: o.scope }] : []),
    ],
  });
  const rmdc = 'Rwanda Medical and Dental Council';
  licence({ id: 'e2e-lic-clinician', kind: 'practitioner-licence', subject: who.clinician, number: clinicianLicence, issuer: rmdc, start: day(now, -700), end: day(now, 395), status: 'active' });
  licence({ id: 'e2e-lic-specialist', kind: 'practitioner-licence', subject: who.specialist, number: 'RMDC-S-20417', issuer: rmdc, start: day(now, -353), end: day(now, 12), status: 'active' });
  licence({ id: 'e2e-lic-nurse', kind: 'practitioner-licence', subject: who.nurse, number: 'NCNM-N-33012', issuer: 'National Council of Nurses and Midwives', start: day(now, -400), end: day(now, 330), status: 'suspended' });
  licence({ id: 'e2e-lic-pharmacist', kind: 'practitioner-licence', subject: { reference: 'Practitioner/e2e-pharmacist-1', display: 'Emmanuel Nkurunziza' }, number: 'NPC-P-04551', issuer: 'National Pharmacy Council', start: day(now, -800), end: day(now, -70), status: 'expired' });
  const org = (i: number) => ({ reference: `Organization/${facilities[i].id}`, display: facilities[i].name });
  licence({ id: 'e2e-lic-chuk', kind: 'facility-digital-health-licence', subject: org(0), number: 'MOH-DHL-0001', issuer: 'Ministry of Health', start: day(now, -300), end: day(now, 430), status: 'active', scope: 'Electronic medical records, telemedicine, e-prescribing' });
  licence({ id: 'e2e-lic-kibagabaga', kind: 'facility-digital-health-licence', subject: org(1), number: 'MOH-DHL-0002', issuer: 'Ministry of Health', start: day(now, -345), end: day(now, 20), status: 'active', scope: 'Electronic medical records' });
  licence({ id: 'e2e-lic-nyamata', kind: 'facility-digital-health-licence', subject: org(2), number: 'MOH-DHL-0003', issuer: 'Ministry of Health', start: day(now, -500), end: day(now, 230), status: 'revoked', scope: 'Laboratory information system' });

  const accounts: Record<AccountKey, E2eAccount> = {
    patient: { username: 'e2e.patient', password: e2ePassword, name: 'Aline Uwase', fhirUser: p1, roles: ['patient'], facilities: [] },
    auditor: { username: 'e2e.auditor', password: e2ePassword, name: 'Josiane Mutoni', fhirUser: 'Practitioner/e2e-auditor-1', roles: ['auditor'], facilities: [] },
    regulator: { username: 'e2e.regulator', password: e2ePassword, name: 'Patrick Nshimiyimana', fhirUser: 'Practitioner/e2e-regulator-1', roles: ['regulator', 'auditor'], facilities: [] },
    clinician: { username: 'e2e.clinician', password: e2ePassword, name: 'Dr. Eric Niyonzima', fhirUser: 'Practitioner/e2e-clinician-1', roles: ['clinician'], facilities: ['e2e-facility-chuk'] },
    steward: { username: 'e2e.steward', password: e2ePassword, name: 'Olivier Habineza', fhirUser: 'Practitioner/e2e-steward-1', roles: ['registry-steward'], facilities: [] },
    admin: { username: 'e2e.admin', password: e2ePassword, name: 'Sandrine Umutoni', fhirUser: 'Practitioner/e2e-admin-1', roles: ['exchange-admin'], facilities: [] },
  };

  return {
    now,
    accounts,
    resources,
    transaction: () => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    }),
    expect: {
      patientName: 'Aline Uwase',
      patientNationalId,
      patientEventCount,
      patientEmergencyCount: 1,
      specialistRef: who.specialist.reference,
      specialistName: who.specialist.display,
      specialistEventCount: 3,
      totalAuditEvents,
      failedEventCount: 2,
      clinicianLicenceNumber: clinicianLicence,
      expiringPractitionerLicence: 'RMDC-S-20417',
      unlicensedPractitionerName: 'Alice Mukeshimana',
      unlicensedPractitionerRef: 'Practitioner/e2e-doctor-2',
    },
  };
}
