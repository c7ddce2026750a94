import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import type { Actor } from '../access/actor.ts';

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
/** 0 success, 4 minor failure (refused request), 8 serious failure (server error). */
export type AuditOutcome = '0' | '4' | '8';

export interface AccessRecord {
  actor?: Actor;
  action: AuditAction;
  /** FHIR restful-interaction code: read, vread, search-type, create, update, patch, delete, history, operation, transaction, batch. */
  interaction: string;
  /** Resources touched, as Type/id. */
  resources: string[];
  /** Patients whose data was involved, as Patient/id. */
  patients: string[];
  outcome: AuditOutcome;
  outcomeDescription?: string;
  address?: string;
  /** The query of a search, kept in the protected audit record (never in logs). */
  query?: string;
}

const sys = {
  type: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  interaction: 'http://hl7.org/fhir/restful-interaction',
  reason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  participation: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  account: 'https://moh.gov.rw/fhir/id/huza-account',
  client: 'https://moh.gov.rw/fhir/id/huza-client',
};

/** An AuditEvent in the manner of IHE Basic Audit Log Patterns (BALP) for a RESTful access. */
export function accessAuditEvent(r: AccessRecord, recorded: Date): FhirResource {
  const actor = r.actor;
  const purpose = actor?.breakGlassReason
    ? [{ coding: [{ system: sys.reason, code: 'BTG', display: 'break the glass' }], text: actor.breakGlassReason }]
    : [{ coding: [{ system: sys.reason, code: 'TREAT', display: 'treatment' }] }];
  return {
    resourceType: 'AuditEvent',
    type: { system: sys.type, code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: sys.interaction, code: r.interaction }],
    action: r.action,
    recorded: recorded.toISOString(),
    outcome: r.outcome,
    ...(r.outcomeDescription ? { outcomeDesc: r.outcomeDescription } : {}),
    purposeOfEvent: purpose,
    agent: agents(actor, r.address),
    source: { site: 'Huza', observer: { display: 'Huza FHIR server' }, type: [{ system: sys.sourceType, code: '4', display: 'Application Server' }] },
    entity: [
      ...r.patients.map((p) => ({ what: { reference: p }, type: { system: sys.entityType, code: '1', display: 'Person' }, role: { system: sys.objectRole, code: '1', display: 'Patient' } })),
      ...r.resources.filter((ref) => !r.patients.includes(ref)).slice(0, 500).map((ref) => ({ what: { reference: ref }, type: { system: sys.entityType, code: '2', display: 'System Object' } })),
      ...(r.query ? [{ type: { system: sys.entityType, code: '2' }, role: { system: sys.objectRole, code: '24', display: 'Query' }, query: Buffer.from(r.query).toString('base64') }] : []),
    ],
  };
}

export interface LoginRecord {
  username: string;
  accountId?: string;
  outcome: 'success' | 'failure';
  reason?: string;
  address?: string;
}

export function loginAuditEvent(l: LoginRecord, recorded: Date): FhirResource {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' },
    subtype: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' }],
    action: 'E',
    recorded: recorded.toISOString(),
    outcome: l.outcome === 'success' ? '0' : '4',
    ...(l.reason ? { outcomeDesc: l.reason } : {}),
    agent: [{
      who: { identifier: { system: sys.account, value: l.accountId ?? l.username }, display: l.username },
      requestor: true,
      ...(l.address ? { network: { address: l.address, type: '2' } } : {}),
    }],
    source: { site: 'Huza', observer: { display: 'Huza authorization server' }, type: [{ system: sys.sourceType, code: '4' }] },
  };
}

function agents(actor: Actor | undefined, address: string | undefined): unknown[] {
  const network = address ? { network: { address, type: '2' } } : {};
  if (!actor) return [{ who: { display: 'anonymous' }, requestor: true, ...network }];
  const person = actor.kind === 'person'
    ? [{
      type: { coding: [{ system: sys.participation, code: 'IRCP', display: 'information recipient' }] },
      who: { ...(actor.fhirUser ? { reference: actor.fhirUser } : {}), identifier: { system: sys.account, value: actor.id }, display: actor.displayName ?? actor.id },
      requestor: true,
      role: actor.roles.map((r) => ({ text: r })),
      ...network,
    }]
    : [];
  const client = {
    type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150', display: 'Application' }] },
    who: { identifier: { system: sys.client, value: actor.clientId }, display: actor.clientId },
    requestor: actor.kind === 'system',
    ...(actor.kind === 'system' ? network : {}),
  };
  return [...person, client];
}
