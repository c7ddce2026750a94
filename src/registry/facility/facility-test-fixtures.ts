/** A small slice of Rwanda for the facility registry's tests: two districts of the Northern Province and their facilities. */
export const FACILITY = 'https://moh.gov.rw/fhir/id/facility';
export const FACILITY_TYPE = 'https://huza.rw/fhir/CodeSystem/facility-type';

type Json = any;

export function place(id: string, name: string, level: string, parent?: string, position?: [number, number]): Json {
  return {
    resourceType: 'Location', id, status: 'active', name, mode: 'instance',
    type: [{ coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/admin-level', code: level }] }],
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'jdn' }] },
    address: { country: 'RW' },
    ...(parent ? { partOf: { reference: `Location/${parent}` } } : {}),
    ...(position ? { position: { latitude: position[0], longitude: position[1] } } : {}),
  };
}

export function facilityLocation(id: string, code: string, name: string, type: string, parent: string, position: [number, number]): Json {
  return {
    resourceType: 'Location', id, status: 'active', name, mode: 'instance',
    identifier: [{ system: FACILITY, value: code }],
    type: [{ coding: [{ system: FACILITY_TYPE, code: type }] }],
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bu' }] },
    address: { country: 'RW' },
    position: { latitude: position[0], longitude: position[1] },
    partOf: { reference: `Location/${parent}` },
    managingOrganization: { reference: `Organization/${id}` },
  };
}

export function facilityOrganization(id: string, code: string, name: string, type: string): Json {
  return {
    resourceType: 'Organization', id, active: true, name,
    identifier: [{ system: FACILITY, value: code }],
    type: [{ coding: [{ system: FACILITY_TYPE, code: type }] }],
  };
}

/** Country → province → districts (Musanze, Burera) → a sector of Musanze, with real approximate positions. */
export const hierarchy: Json[] = [
  place('rw', 'Rwanda', 'country', undefined, [-1.94, 29.87]),
  place('rw-north', 'Northern Province', 'province', 'rw', [-1.6, 29.75]),
  place('rw-musanze', 'Musanze', 'district', 'rw-north', [-1.4998, 29.6346]),
  place('rw-burera', 'Burera', 'district', 'rw-north', [-1.4730, 29.8310]),
  place('rw-muhoza', 'Muhoza', 'sector', 'rw-musanze', [-1.4990, 29.6300]),
];

/** Health centres and a hospital in Musanze and Burera; positions a few km apart. */
export const facilities: [string, string, string, string, string, [number, number]][] = [
  ['f-ruhengeri', 'dh-ruhengeri', 'Ruhengeri Hospital', 'district-hospital', 'rw-musanze', [-1.5025, 29.6320]],
  ['f-muhoza-hc', 'hc-muhoza', 'Muhoza Health Centre', 'health-centre', 'rw-muhoza', [-1.4950, 29.6280]],
  ['f-kinigi-hc', 'hc-kinigi', 'Kinigi Health Centre', 'health-centre', 'rw-musanze', [-1.4350, 29.5950]],
  ['f-butaro', 'dh-butaro', 'Butaro Hospital', 'district-hospital', 'rw-burera', [-1.4060, 29.8380]],
  ['f-rugarama-hc', 'hc-rugarama', 'Rugarama Health Centre', 'health-centre', 'rw-burera', [-1.4400, 29.8600]],
];
