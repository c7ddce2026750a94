import type { Role } from '../accounts/roles.ts';
import type { ResourceScope } from './smart-scopes.ts';

/** Who is making a request, as established from its access token. */
export interface Actor {
  kind: 'person' | 'system';
  /** The account (people) or the client (systems). */
  id: string;
  clientId: string;
  displayName?: string;
  roles: Role[];
  /** Practitioner/… or Patient/… of a person. */
  fhirUser?: string;
  facilities: string[];
  /** Set when the token is bound to one patient (patient/ scopes, patient users). */
  patient?: string;
  scopes: ResourceScope[];
  /** Client address, for the audit trail. */
  address?: string;
  /** A stated reason to override the relationship check ("break the glass"). */
  breakGlassReason?: string;
}
