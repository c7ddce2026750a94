import type { Queryable } from '../../db/database.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import type { ContentCodec } from '../../fhir/repository/content-codec.ts';
import type { FhirResource, StoredVersion } from '../../fhir/repository/resource-types.ts';
import { assertLicensed, licensedActionOf } from '../licensing/licence-requirement.ts';
import type { AccessHooks } from '../../fhir/rest/fhir-request.ts';
import type { Role } from '../accounts/roles.ts';
import type { Actor } from './actor.ts';
import { consentAllows, type ConsentResource } from './consent-decision.ts';
import { categoryOf, type ResourceCategory } from './resource-categories.ts';
import { scopesAllowing, type Permission } from './smart-scopes.ts';

export class AccessDenied extends FhirError {
  readonly reason: string;

  constructor(diagnostics: string, reason: string) {
    super(403, [{ severity: 'error', code: 'forbidden', diagnostics }]);
    this.reason = reason;
  }
}

/** What each role may do, by category of data; patient data is further bound to care relationships. */
const rolePermissions: Record<Role, Partial<Record<ResourceCategory, string>>> = {
  'exchange-admin': { directory: 'cruds', licence: 'rs', audit: 'rs' },
  'registry-steward': { directory: 'cruds', 'patient-data': 'cruds', licence: 'rs' },
  clinician: { directory: 'rs', 'patient-data': 'cruds', licence: 'rs' },
  specialist: { directory: 'rs', 'patient-data': 'cruds', licence: 'rs' },
  chw: { directory: 'rs', 'patient-data': 'crus' },
  'chw-supervisor': { directory: 'rs', 'patient-data': 'crus' },
  regulator: { directory: 'rs', licence: 'cruds' },
  auditor: { directory: 'rs', audit: 'rs' },
  patient: { directory: 'rs', 'patient-data': 'rs', audit: 'rs' },
};

/** Roles whose reach into patient data is bound to patients cared for at their facilities. */
const careRoles: Role[] = ['clinician', 'specialist', 'chw', 'chw-supervisor'];

export const minimumBreakGlassReason = 10;

/**
 * The one place access is decided: SMART scopes × role × patient relationship × consent. A request
 * gets one AccessControl; its per-patient decisions are remembered for the request's lifetime.
 */
export class AccessControl implements AccessHooks {
  readonly actor: Actor;
  private readonly sql: Queryable;
  private readonly content: ContentCodec;
  private readonly patientDecisions = new Map<string, Promise<PatientDecision>>();
  /** Patients whose data was reached only through break-the-glass, for the audit record. */
  readonly brokeGlassFor = new Set<string>();

  /** content: the repository's codec, to read the (encrypted) Consents the decisions rest on. */
  constructor(actor: Actor, sql: Queryable, content: ContentCodec) {
    this.actor = actor;
    this.sql = sql;
    this.content = content;
  }

  /** Refuses an interaction the actor's scopes or roles do not allow on this type at all. */
  checkType(type: string, permission: Permission): void {
    const category = categoryOf(type);
    if (category === 'audit' && permission !== 'r' && permission !== 's') {
      throw new AccessDenied('Audit records are append-only: they cannot be created, changed or deleted through the API', 'audit-append-only');
    }
    if (scopesAllowing(this.actor.scopes, type, permission).length === 0) {
      throw new AccessDenied(`The access token's scopes do not allow '${permission}' on ${type}`, 'scope');
    }
    if (this.actor.kind === 'system') return;
    const allowed = this.actor.roles.some((role) => rolePermissions[role]?.[category]?.includes(permission));
    if (!allowed) throw new AccessDenied(`None of the roles ${this.actor.roles.join(', ') || '(none)'} may '${permission}' ${type}`, 'role');
  }

  /** Clinical actions reserved to licensed providers (prescribing, teleconsultation). */
  async checkWrite(resource: FhirResource): Promise<void> {
    const action = licensedActionOf(resource);
    if (action) await assertLicensed(this.sql, this.content, this.actor, action);
  }

  allowsType(type: string, permission: Permission): boolean {
    try {
      this.checkType(type, permission);
      return true;
    } catch {
      return false;
    }
  }

  /** For searches of patient-bound actors: the patient every result must belong to. */
  get boundPatient(): string | undefined {
    return this.actor.patient;
  }

  /**
   * Keeps what the actor may see. Patient data (and, for patients, the audit trail) is visible when
   * every patient it is about may be seen; data about no patient is visible unless the token is bound
   * to one patient. Other resources were already decided by checkType.
   */
  async visible(all: StoredVersion[]): Promise<StoredVersion[]> {
    // Included resources can be of types the actor may not read at all.
    const versions = all.filter((v) => this.allowsType(v.resourceType, 'r'));
    const guarded = versions.filter((v) => this.isGuarded(v.resourceType));
    if (guarded.length === 0) return versions;
    const patientsOf = await this.patientsOf(guarded);
    const out: StoredVersion[] = [];
    for (const v of versions) {
      const patients = patientsOf.get(`${v.resourceType}/${v.id}`);
      if (!patients) out.push(v);
      else if (patients.length === 0) {
        if (this.actor.patient === undefined) out.push(v);
      } else if ((await Promise.all(patients.map((p) => this.decide(p)))).every((d) => d.allowed)) out.push(v);
    }
    return out;
  }

  private isGuarded(type: string): boolean {
    const category = categoryOf(type);
    return category === 'patient-data' || (category === 'audit' && this.actor.patient !== undefined);
  }

  async assertVisible(version: StoredVersion): Promise<void> {
    const [kept] = await this.visible([version]);
    if (kept) return;
    const patients = (await this.patientsOf([version])).get(`${version.resourceType}/${version.id}`) ?? [];
    const reasons = await Promise.all(patients.map((p) => this.decide(p)));
    const refusal = reasons.find((d) => !d.allowed);
    throw new AccessDenied(refusal?.why ?? `Not allowed to see ${version.resourceType}/${version.id}`, refusal?.reason ?? 'relationship');
  }

  /** Whether the actor may see the data of this patient, and why not. */
  decide(patientId: string): Promise<PatientDecision> {
    let decision = this.patientDecisions.get(patientId);
    if (!decision) {
      decision = this.computeDecision(patientId);
      this.patientDecisions.set(patientId, decision);
    }
    return decision;
  }

  private async computeDecision(patientId: string): Promise<PatientDecision> {
    const actor = this.actor;
    if (actor.patient !== undefined) {
      return actor.patient === patientId
        ? { allowed: true }
        : { allowed: false, reason: 'patient-context', why: `This token is bound to Patient/${actor.patient}` };
    }
    const facilityBound = actor.kind === 'system' ? actor.facilities.length > 0 : actor.roles.some((r) => careRoles.includes(r)) && !actor.roles.some((r) => r === 'registry-steward' || r === 'exchange-admin');
    if (!facilityBound) return { allowed: true };
    if (!consentAllows(await this.consents(patientId), actor.facilities)) {
      return { allowed: false, reason: 'consent', why: `Patient/${patientId} has not consented to sharing with this facility` };
    }
    if (await this.hasRelationship(patientId)) return { allowed: true };
    if (actor.breakGlassReason && actor.breakGlassReason.trim().length >= minimumBreakGlassReason) {
      this.brokeGlassFor.add(patientId);
      return { allowed: true, brokeGlass: true };
    }
    return {
      allowed: false, reason: 'relationship',
      why: `Patient/${patientId} has no care, referral or appointment at your facilities; to proceed in an emergency, state a reason in the X-Break-Glass header`,
    };
  }

  /** Care at the facility: managed there, or an encounter, referral, appointment or episode there. */
  private async hasRelationship(patientId: string): Promise<boolean> {
    if (this.actor.facilities.length === 0) return false;
    const result = await this.sql.query<{ ok: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM sp_reference m WHERE m.resource_type = 'Patient' AND m.resource_id = $1
           AND m.param IN ('organization', 'general-practitioner') AND m.target_type = 'Organization' AND m.target_id = ANY($2::text[]))
       OR EXISTS (
         SELECT 1 FROM sp_reference e JOIN sp_reference f ON f.resource_type = e.resource_type AND f.resource_id = e.resource_id
         WHERE e.target_type = 'Patient' AND e.target_id = $1
           AND e.resource_type IN ('Encounter', 'ServiceRequest', 'Appointment', 'EpisodeOfCare')
           AND f.target_type = 'Organization' AND f.target_id = ANY($2::text[])
           AND f.param IN ('service-provider', 'performer', 'actor', 'organization', 'requester')) AS ok`,
      [patientId, this.actor.facilities]);
    return result.rows[0].ok;
  }

  private async consents(patientId: string): Promise<ConsentResource[]> {
    // The index finds the patient's Consents; their terms are in the (encrypted) content, read in JS.
    const result = await this.sql.query<{ id: string; version_id: number; content: Uint8Array }>(
      `SELECT r.id, r.version_id, r.content FROM resource r
       JOIN sp_reference s ON s.resource_type = 'Consent' AND s.resource_id = r.id AND s.param = 'patient' AND s.target_type = 'Patient' AND s.target_id = $1
       WHERE r.resource_type = 'Consent' AND NOT r.deleted`, [patientId]);
    return Promise.all(result.rows.map(async (r) =>
      JSON.parse(await this.content.decode(r.content, { resourceType: 'Consent', id: r.id, versionId: r.version_id })) as ConsentResource));
  }

  /** The patients each resource is about: itself for a Patient, else the patients it refers to. */
  private async patientsOf(versions: StoredVersion[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const v of versions) out.set(`${v.resourceType}/${v.id}`, v.resourceType === 'Patient' ? [v.id] : []);
    const others = versions.filter((v) => v.resourceType !== 'Patient');
    if (others.length === 0) return out;
    const rows = await this.sql.query<{ resource_type: string; resource_id: string; target_id: string }>(
      `SELECT DISTINCT s.resource_type, s.resource_id, s.target_id FROM sp_reference s
       JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON s.resource_type = k.t AND s.resource_id = k.i
       WHERE s.target_type = 'Patient' AND s.target_id IS NOT NULL`,
      [others.map((v) => v.resourceType), others.map((v) => v.id)]);
    for (const row of rows.rows) out.get(`${row.resource_type}/${row.resource_id}`)?.push(row.target_id);
    return out;
  }
}

export interface PatientDecision {
  allowed: boolean;
  brokeGlass?: boolean;
  reason?: 'patient-context' | 'consent' | 'relationship';
  why?: string;
}
