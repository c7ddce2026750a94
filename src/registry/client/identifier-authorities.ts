import type { Queryable } from '../../db/database.ts';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import { SYSTEMS } from '../../seed/fhir.ts';
import { parseNationalId } from './national-id.ts';

/** An identity domain the registry accepts identifiers from. */
export interface IdentifierAuthority {
  /** identifier.system; for a family of domains (one per facility), the prefix they share. */
  system: string;
  prefix?: boolean;
  name: string;
  /** One value names one person: two records holding it are the same person (or a conflict). */
  personUnique: boolean;
  /** Copied onto the golden record: identity documents, not one facility's file number. */
  personLevel: boolean;
  /** Why a value is not valid, or undefined. */
  validate?(value: string): string | undefined;
  /** Sources (client ids, message source endpoints) allowed to assign new values; absent: any. */
  assigners?: string[];
}

export const REGISTRY_ID_SYSTEM = 'https://huza.rw/fhir/id/registry-id';
export const FACILITY_MRN_PREFIX = 'https://moh.gov.rw/fhir/id/facility-mrn/';
export const PHONE_ID_SYSTEM = 'https://moh.gov.rw/fhir/id/phone';
const ASSIGNER_EXT = 'https://huza.rw/fhir/StructureDefinition/identity-domain-assigner';
const PERSON_UNIQUE_EXT = 'https://huza.rw/fhir/StructureDefinition/identifier-person-unique';

const pattern = (re: RegExp, what: string) => (v: string) => (re.test(v) ? undefined : `expected ${what}`);

/** Rwanda's identity domains, known without configuration. */
export const BUILT_IN_AUTHORITIES: IdentifierAuthority[] = [
  {
    system: SYSTEMS.nationalId, name: 'Rwandan national ID (NIDA)', personUnique: true, personLevel: true,
    validate: (v) => { const r = parseNationalId(v); return r.ok ? undefined : r.message; },
  },
  { system: 'https://moh.gov.rw/fhir/id/refugee-id', name: 'Refugee ID (UNHCR / MINEMA)', personUnique: true, personLevel: true, validate: pattern(/^[A-Z0-9-]{6,20}$/, '6 to 20 capital letters, digits or dashes') },
  { system: 'https://moh.gov.rw/fhir/id/foreigner-id', name: 'Foreign resident ID (DGIE)', personUnique: true, personLevel: true, validate: pattern(/^[A-Z0-9-]{6,20}$/, '6 to 20 capital letters, digits or dashes') },
  { system: 'https://moh.gov.rw/fhir/id/passport/', prefix: true, name: 'Passport (system ends with the issuing country, ISO 3166 alpha-3)', personUnique: true, personLevel: true, validate: pattern(/^[A-Z0-9]{6,12}$/, '6 to 12 capital letters or digits') },
  { system: SYSTEMS.cbhi, name: 'Community-based health insurance membership', personUnique: true, personLevel: true, validate: pattern(/^\d{10}-\d{2}$/, 'household number (10 digits), dash, member number (2 digits)') },
  { system: PHONE_ID_SYSTEM, name: 'Mobile phone number', personUnique: false, personLevel: false, validate: pattern(/^\+2507\d{8}$/, '+2507 followed by 8 digits') },
  { system: FACILITY_MRN_PREFIX, prefix: true, name: "A facility's own patient record number (system ends with the facility code)", personUnique: true, personLevel: false },
  { system: REGISTRY_ID_SYSTEM, name: 'Huza client registry ID', personUnique: true, personLevel: true, assigners: [] },
];

/**
 * The identity domains the registry knows: the built-in Rwandan ones and those an administrator
 * registers as NamingSystem resources (kind identifier, active, a uri or oid uniqueId). Registered
 * domains may name the sources allowed to assign in them (extension identity-domain-assigner).
 */
export class IdentifierAuthorities {
  private registered: Map<string, IdentifierAuthority> | undefined;
  private loadedAt = 0;
  // Other nodes may register domains: re-read them at least this often.
  private readonly maxAgeMs = 30_000;

  invalidate(): void {
    this.registered = undefined;
  }

  async find(repo: FhirRepository, system: string): Promise<IdentifierAuthority | undefined> {
    const builtIn = BUILT_IN_AUTHORITIES.find((a) => (a.prefix ? system.startsWith(a.system) && system.length > a.system.length : a.system === system));
    if (builtIn) return builtIn;
    if (!this.registered || Date.now() - this.loadedAt > this.maxAgeMs) {
      this.registered = await loadRegistered(repo);
      this.loadedAt = Date.now();
    }
    return this.registered.get(system);
  }
}

async function loadRegistered(repo: FhirRepository): Promise<Map<string, IdentifierAuthority>> {
  const sql: Queryable = repo.sql;
  const rows = await sql.query<{ resource_type: string; id: string; version_id: number; last_updated: Date; content: Uint8Array | null }>(
    "SELECT resource_type, id, version_id, last_updated, content FROM resource WHERE resource_type = 'NamingSystem' AND NOT deleted");
  const out = new Map<string, IdentifierAuthority>();
  for (const row of rows.rows) {
    const json = (await repo.fromRow(row)).json;
    if (!json) continue;
    const ns = JSON.parse(json) as NamingSystem;
    if (ns.kind !== 'identifier' || ns.status !== 'active') continue;
    const assigners = (ns.extension ?? []).filter((e) => e.url === ASSIGNER_EXT).map((e) => e.valueUri ?? e.valueString ?? '').filter(Boolean);
    const unique = (ns.extension ?? []).find((e) => e.url === PERSON_UNIQUE_EXT)?.valueBoolean;
    for (const u of ns.uniqueId ?? []) {
      const system = u.type === 'oid' ? `urn:oid:${u.value.replace(/^urn:oid:/, '')}` : u.type === 'uri' ? u.value : undefined;
      if (!system) continue;
      out.set(system, { system, name: ns.name ?? system, personUnique: unique ?? true, personLevel: false, ...(assigners.length > 0 ? { assigners } : {}) });
    }
  }
  return out;
}

interface NamingSystem {
  name?: string;
  status?: string;
  kind?: string;
  uniqueId?: { type: string; value: string }[];
  extension?: { url: string; valueUri?: string; valueString?: string; valueBoolean?: boolean }[];
}

/** The NamingSystem that registers an identity domain (what `huza` and the tests post). */
export function identityDomain(system: string, name: string, options: { assigners?: string[]; personUnique?: boolean } = {}) {
  const oid = system.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : undefined;
  return {
    resourceType: 'NamingSystem',
    name: name.replace(/[^A-Za-z0-9]/g, '') || 'IdentityDomain',
    status: 'active',
    kind: 'identifier',
    date: new Date().toISOString().slice(0, 10),
    description: name,
    extension: [
      ...(options.assigners ?? []).map((a) => ({ url: ASSIGNER_EXT, valueString: a })),
      ...(options.personUnique === false ? [{ url: PERSON_UNIQUE_EXT, valueBoolean: false }] : []),
    ],
    uniqueId: [oid ? { type: 'oid', value: oid, preferred: true } : { type: 'uri', value: system, preferred: true }],
  };
}
