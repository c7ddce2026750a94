import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { getAllDataTypes } from '@medplum/core';
import { REFUSED_EXAMPLES_FILE } from './generate-refused-examples.ts';
import { checkExample, listExampleFiles, type RefusedExample } from './package-examples.ts';
import { createValueSetExpander } from './valueset-expander.ts';
import { createResourceValidator, errorsOf, isRefused, validate, type ValidationIssue } from './validator.ts';

const validator = createResourceValidator();

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { lastUpdated: '2024-01-01T00:00:00Z' },
  identifier: [{ system: 'urn:oid:1.2.3', value: '1199' }],
  active: true,
  name: [{ use: 'official', family: 'Uwase', given: ['Aline'] }],
  telecom: [{ system: 'phone', value: '+250788000000', use: 'mobile' }],
  gender: 'female',
  birthDate: '1990-04-12',
  address: [{ use: 'home', city: 'Kigali', country: 'RW' }],
  managingOrganization: { reference: 'Organization/chuk' },
};

const observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  category: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
  ],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2024-01-01T10:00:00Z',
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
};

/** Asserts the resource is refused with an error at `expression` whose diagnostics match `message`. */
function assertError(resource: unknown, expression: string, message?: RegExp): ValidationIssue {
  const errors = errorsOf(validator.validate(resource));
  const found = errors.find((e) => e.expression.includes(expression) && (!message || message.test(e.diagnostics)));
  assert.ok(found, `expected an error at ${expression} ${message ?? ''}, got ${JSON.stringify(errors, null, 2)}`);
  return found;
}

describe('createResourceValidator', () => {
  test('accepts valid resources', () => {
    assert.deepEqual(validator.validate(patient), []);
    assert.deepEqual(validator.validate(observation), []);
  });

  test('returns the same cached validator state on later calls', () => {
    const start = performance.now();
    const again = createResourceValidator();
    assert.ok(performance.now() - start < 5);
    assert.deepEqual(again.validate(patient), []);
  });

  test('uses only the examples-package definitions (no medplum built-in schema left)', () => {
    const leftovers = Object.entries(getAllDataTypes())
      .filter(([, schema]) => !schema.url && !schema.parentType)
      .map(([name]) => name);
    assert.deepEqual(leftovers, ['IdentityProvider']); // Medplum-only type, never used by R4 resources
  });

  test('wrong JSON type', () => {
    assertError({ ...patient, birthDate: 12 }, 'Patient.birthDate', /expected string/);
    assertError({ ...patient, active: 'yes' }, 'Patient.active', /expected boolean/);
  });

  test('primitive formats', () => {
    assertError({ ...patient, birthDate: '1990-13-01' }, 'Patient.birthDate', /Invalid date/);
    assertError({ ...patient, birthDate: '1990-02-30' }, 'Patient.birthDate', /Invalid date/);
    assertError({ ...observation, effectiveDateTime: '2024-01-01 10:00' }, 'Observation.effective.ofType(dateTime)');
    assertError({ ...patient, id: 'not_an_id' }, 'Patient.id', /Invalid id/);
    assertError({ ...patient, name: [{ family: 'x', given: ['  '] }] }, 'Patient.name[0].given[0]');
  });

  test('unknown elements', () => {
    assertError({ ...patient, nickname: 'Ali' }, 'Patient.nickname', /additional property/);
    assertError({ ...patient, name: [{ family: 'x' }, { family: 'y', surname: 'z' }] }, 'Patient.name[1].surname');
    assertError({ ...observation, valueQuantity: undefined, valueFoo: 1 }, 'Observation.valueFoo');
  });

  test('cardinality', () => {
    assertError({ ...patient, gender: ['male', 'female'] }, 'Patient.gender', /single value/);
    assertError({ ...patient, name: [{ family: 'x' }, { given: 'Aline' }] }, 'Patient.name[1].given', /array/);
    assertError({ ...patient, name: { family: 'x' } }, 'Patient.name', /array/);
    const { status: _status, code: _code, ...bare } = observation;
    const errors = errorsOf(validator.validate(bare));
    assert.deepEqual(
      errors.map((e) => e.expression[0]),
      ['Observation.status', 'Observation.code']
    );
    assert.ok(errors.every((e) => /Missing required/.test(e.diagnostics)));
    assertError({ ...patient, deceasedBoolean: false, deceasedDateTime: '2020' }, 'Patient.deceased', /one type/);
  });

  test('required code bindings', () => {
    const issue = assertError({ ...patient, gender: 'mal' }, 'Patient.gender', /administrative-gender/);
    assert.equal(issue.code, 'code-invalid');
    assertError({ ...observation, status: 'done' }, 'Observation.status', /observation-status/);
    assertError({ ...patient, telecom: [{ system: 'phone', value: '1', use: 'cell' }] }, 'Patient.telecom[0].use');
    assertError(
      { ...observation, valueQuantity: { ...observation.valueQuantity, comparator: '=' } },
      'Observation.value.ofType(Quantity).comparator'
    );
    const condition = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'cured' }],
      },
    };
    assertError(condition, 'Condition.clinicalStatus', /None of the codings/);
    condition.clinicalStatus.coding[0].code = 'resolved';
    assert.deepEqual(errorsOf(validator.validate(condition)), []);
  });

  test('unknown resourceType', () => {
    assertError({ resourceType: 'Patients' }, 'resourceType', /Unknown resource type/);
    assertError({ resourceType: 'DomainResource' }, 'resourceType');
    assertError({ ...patient, contained: [{ resourceType: 'Doctor', id: 'd' }] }, 'Patient.contained[0].resourceType');
    assert.equal(validator.validate('Patient')[0].severity, 'fatal');
  });

  test('FHIRPath invariants, including datatype and nested-resource ones', () => {
    assertError({ ...patient, contact: [{ gender: 'male' }] }, 'Patient.contact[0]', /pat-1/);
    assertError(
      { ...patient, name: [{ family: 'x', period: { start: '2020-01-01', end: '2019-01-01' } }] },
      'Patient.name[0].period',
      /per-1/
    );
    assertError({ ...patient, telecom: [{ value: '123' }] }, 'Patient.telecom[0]', /cpt-2/);
    assertError({ ...observation, valueQuantity: { value: 1, code: 'mg' } }, 'Observation.value.ofType(Quantity)', /qty-3/);
    assertError({ ...patient, generalPractitioner: [{ reference: '#missing' }] }, 'Patient.generalPractitioner[0]', /ref-1/);
    assertError({ resourceType: 'Organization' }, 'Organization', /org-1/);
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:1', resource: { ...observation, dataAbsentReason: { text: 'x' } } }],
    };
    assertError(bundle, 'Bundle.entry[0].resource', /obs-6/);
  });

  test('reference target types', () => {
    assertError({ ...observation, subject: { reference: 'Observation/1' } }, 'Observation.subject', /refers to Observation/);
    assertError(
      { ...observation, subject: { reference: 'https://fhir.example.rw/fhir/Medication/1' } },
      'Observation.subject'
    );
    assert.deepEqual(
      validator.validate({ ...observation, subject: { reference: 'https://fhir.example.rw/fhir/Patient/1' } }),
      []
    );
  });

  test('accepts what R4 allows but medplum refuses', () => {
    // base64Binary may be line-wrapped
    const photo = { contentType: 'image/png', data: 'iVBO Rw0K\nGgoA' };
    assert.deepEqual(errorsOf(validator.validate({ ...patient, photo: [photo] })), []);
    // invariants corrected in R4B (bdl-8 on an entry without fullUrl)
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient/p1' } }] };
    assert.deepEqual(errorsOf(validator.validate(batch)), []);
  });

  test('validate() helper and isRefused()', () => {
    assert.equal(isRefused(validate(patient)), false);
    assert.equal(isRefused(validate({ ...patient, gender: 'mal' })), true);
  });
});

describe('ValueSet expansion', () => {
  const expander = createValueSetExpander(
    [
      {
        resourceType: 'ValueSet',
        url: 'http://x/vs/a',
        compose: { include: [{ system: 'http://x/cs', filter: [{ property: 'concept', op: 'is-a', value: 'b' }] }] },
      },
      {
        resourceType: 'ValueSet',
        url: 'http://x/vs/nested',
        compose: {
          include: [{ valueSet: ['http://x/vs/a'] }, { system: 'http://other', concept: [{ code: 'z' }] }],
          exclude: [{ system: 'http://x/cs', concept: [{ code: 'c' }] }],
        },
      },
      { resourceType: 'ValueSet', url: 'http://x/vs/snomed', compose: { include: [{ system: 'http://snomed.info/sct' }] } },
    ],
    [
      {
        resourceType: 'CodeSystem',
        url: 'http://x/cs',
        content: 'complete',
        concept: [{ code: 'a' }, { code: 'b', concept: [{ code: 'c' }, { code: 'd' }] }],
      },
    ]
  );

  test('filters, nested value sets and excludes', () => {
    assert.deepEqual([...(expander.expand('http://x/vs/a')?.get('http://x/cs') ?? [])].sort(), ['b', 'c', 'd']);
    const nested = expander.expand('http://x/vs/nested|1.0');
    assert.deepEqual([...(nested?.get('http://x/cs') ?? [])].sort(), ['b', 'd']);
    assert.deepEqual([...(nested?.get('http://other') ?? [])], ['z']);
  });

  test('value sets that need external terminology cannot be expanded', () => {
    assert.equal(expander.expand('http://x/vs/snomed'), undefined);
    assert.equal(expander.expand('http://x/vs/unknown'), undefined);
  });
});

describe('official R4 examples', () => {
  const listed = JSON.parse(readFileSync(REFUSED_EXAMPLES_FILE, 'utf8')) as RefusedExample[];
  const listedByFile = new Map(listed.map((r) => [r.file, r.reason]));

  test('every example not in refused-examples.json validates; every listed one is still refused, for that reason', () => {
    const files = listExampleFiles();
    assert.ok(files.length > 700, `only ${files.length} examples found`);
    const accepted: string[] = [];
    const unexpected: RefusedExample[] = [];
    const changed: RefusedExample[] = [];
    for (const file of files) {
      const refused = checkExample(validator, file);
      const expectedReason = listedByFile.get(file);
      if (!refused) {
        if (expectedReason !== undefined) {
          accepted.push(file);
        }
      } else if (expectedReason === undefined) {
        unexpected.push(refused);
      } else if (expectedReason !== refused.reason) {
        changed.push(refused);
      }
    }
    const hint = ' (regenerate with: node src/fhir/validation/generate-refused-examples.ts)';
    assert.deepEqual(unexpected, [], `examples refused but not listed${hint}`);
    assert.deepEqual(accepted, [], `listed examples now accepted${hint}`);
    assert.deepEqual(changed, [], `listed examples refused for another reason${hint}`);
    assert.ok(listed.every((r) => files.includes(r.file)), 'refused-examples.json lists unknown files');
  });
});
