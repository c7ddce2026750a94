import { isRole, type Role } from '../roles.ts';

/** The signed-in person as the ID token describes them. */
export interface HuzaUser {
  sub: string;
  name: string;
  username?: string;
  /** `Practitioner/…` or `Patient/…`; absent for accounts without a FHIR identity. */
  fhirUser?: string;
  roles: Role[];
  /** Organization ids of the facilities the person works at. */
  facilities: string[];
}

function stringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string' && value) return value.split(/[\s,]+/);
  return [];
}

/** Reads Huza's claims; a relative `fhirUser` is kept, an absolute one is cut to `Type/id`. */
export function huzaUserFromClaims(claims: Record<string, unknown>): HuzaUser {
  const rawFhirUser = typeof claims.fhirUser === 'string' ? claims.fhirUser : undefined;
  const fhirUser = rawFhirUser?.match(/(Practitioner|Patient|RelatedPerson|Person)\/[A-Za-z0-9\-.]{1,64}$/)?.[0];
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
  return {
    sub: String(claims.sub ?? ''),
    name: typeof claims.name === 'string' && claims.name ? claims.name : (username ?? String(claims.sub ?? '')),
    username,
    fhirUser,
    roles: stringArray(claims.huza_roles).filter(isRole),
    facilities: stringArray(claims.huza_facilities).map((f) => f.replace(/^Organization\//, '')),
  };
}
