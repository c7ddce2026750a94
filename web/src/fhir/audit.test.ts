import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessesPerWeek, auditQuery, isBreakTheGlass, toAccessRow, weekStart, windowStart } from './audit.ts';
import type { AuditEvent } from './types.ts';

const actReason = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: 'a1',
    type: { code: 'rest' },
    action: 'R',
    recorded: '2026-11-20T10:00:00Z',
    outcome: '0',
    agent: [
      { who: { reference: 'Device/emr' }, requestor: false },
      { who: { reference: 'Practitioner/p1', display: 'Dr. Eric Niyonzima' }, requestor: true },
    ],
    source: { observer: { display: 'Huza' } },
    entity: [{ what: { reference: 'Patient/x' } }, { what: { reference: 'Observation/o1' } }],
    purposeOfEvent: [{ coding: [{ system: actReason, code: 'TREAT', display: 'Treatment' }] }],
    ...overrides,
  };
}

test('the row names the requestor, what was touched, why and how it went', () => {
  const row = toAccessRow(event());
  assert.equal(row.who, 'Dr. Eric Niyonzima');
  assert.equal(row.whoReference, 'Practitioner/p1');
  assert.deepEqual(row.what, ['Patient/x', 'Observation/o1']);
  assert.deepEqual(row.purposes, [{ code: 'TREAT', text: 'Treatment' }]);
  assert.equal(row.breakTheGlass, false);
  assert.equal(row.outcome, '0');
});

test('break-the-glass is recognised on the event or on an agent, and not listed as a purpose', () => {
  const onEvent = event({ purposeOfEvent: [{ coding: [{ system: actReason, code: 'ETREAT', display: 'Emergency treatment' }, { system: actReason, code: 'BTG' }] }] });
  assert.equal(isBreakTheGlass(onEvent), true);
  assert.deepEqual(toAccessRow(onEvent).purposes, [{ code: 'ETREAT', text: 'Emergency treatment' }]);
  const onAgent = event({ purposeOfEvent: undefined });
  onAgent.agent[1].purposeOfUse = [{ coding: [{ system: actReason, code: 'BTG' }] }];
  assert.equal(isBreakTheGlass(onAgent), true);
  const otherSystem = event({ purposeOfEvent: [{ coding: [{ system: 'http://example.org/reasons', code: 'BTG' }] }] });
  assert.equal(isBreakTheGlass(otherSystem), false);
});

test('the reason given for breaking the glass (the concept text, as Huza records it) is kept', () => {
  const row = toAccessRow(event({ purposeOfEvent: [{ coding: [{ system: actReason, code: 'BTG', display: 'break the glass' }], text: 'Unconscious at admission' }] }));
  assert.equal(row.breakTheGlass, true);
  assert.deepEqual(row.purposes, [{ text: 'Unconscious at admission' }]);
  // A text that only repeats a coding adds nothing.
  const repeated = toAccessRow(event({ purposeOfEvent: [{ coding: [{ system: actReason, code: 'TREAT', display: 'Treatment' }], text: 'Treatment' }] }));
  assert.deepEqual(repeated.purposes, [{ code: 'TREAT', text: 'Treatment' }]);
});

test('sign-ins are told apart from accesses to records', () => {
  const dicom = 'http://dicom.nema.org/resources/ontology/DCM';
  const login = toAccessRow(event({
    type: { system: dicom, code: '110114', display: 'User Authentication' },
    subtype: [{ system: dicom, code: '110122', display: 'Login' }],
    action: 'E', entity: undefined, purposeOfEvent: undefined,
    agent: [{ who: { display: 'e2e.auditor' }, requestor: true }],
  }));
  assert.equal(login.authentication, 'login');
  assert.equal(login.who, 'e2e.auditor');
  assert.deepEqual(login.what, []);
  assert.equal(toAccessRow(event()).authentication, undefined);
});

test('a search (recorded with action E, as BALP does) is told apart from other operations', () => {
  const restful = 'http://hl7.org/fhir/restful-interaction';
  assert.equal(toAccessRow(event({ action: 'E', subtype: [{ system: restful, code: 'search-type' }] })).search, true);
  assert.equal(toAccessRow(event({ action: 'E', subtype: [{ system: restful, code: 'operation' }] })).search, false);
  assert.equal(toAccessRow(event()).search, false);
});

test('weeks start on Monday in Kigali time', () => {
  // Sunday 23:30 in Kigali is Sunday 21:30 UTC: still the week that began on Monday the 16th.
  assert.equal(weekStart(new Date('2026-11-22T21:30:00Z')), '2026-11-16');
  // Monday 00:30 in Kigali is Sunday 22:30 UTC: the new week.
  assert.equal(weekStart(new Date('2026-11-22T22:30:00Z')), '2026-11-23');
});

test('accesses per week: a fixed window, empty weeks as zero, emergencies counted apart', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const weeks = accessesPerWeek([
    { recorded: '2026-11-24T08:00:00Z', breakTheGlass: false },
    { recorded: '2026-11-23T08:00:00Z', breakTheGlass: true },
    { recorded: '2026-11-10T08:00:00Z', breakTheGlass: false },
    { recorded: '2026-01-01T08:00:00Z', breakTheGlass: false }, // before the window
  ], now, 4);
  assert.deepEqual(weeks, [
    { week: '2026-11-02', routine: 0, emergency: 0 },
    { week: '2026-11-09', routine: 1, emergency: 0 },
    { week: '2026-11-16', routine: 0, emergency: 0 },
    { week: '2026-11-23', routine: 1, emergency: 1 },
  ]);
  assert.equal(windowStart(now, 4), '2026-11-01T22:00:00.000Z');
});

test('the auditor filters become a FHIR search over whole Kigali days', () => {
  assert.equal(auditQuery({ from: '', to: '', agent: '', patient: '', action: '', outcome: '' }), 'AuditEvent?_sort=-date&_count=50');
  const q = new URLSearchParams(auditQuery({
    from: '2026-11-01', to: '2026-11-30', agent: ' Practitioner/p1 ', patient: 'Patient/x', action: 'R', outcome: '4',
  }).split('?')[1]);
  assert.deepEqual(q.getAll('date'), ['ge2026-11-01T00:00:00+02:00', 'le2026-11-30T23:59:59+02:00']);
  assert.equal(q.get('agent'), 'Practitioner/p1');
  assert.equal(q.get('patient'), 'Patient/x');
  assert.equal(q.get('action'), 'R');
  assert.equal(q.get('outcome'), '4');
  assert.equal(new URLSearchParams(auditQuery({ from: 'garbage', to: '', agent: '', patient: '', action: '', outcome: '' }).split('?')[1]).getAll('date').length, 0);
});
