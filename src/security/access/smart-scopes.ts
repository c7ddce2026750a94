/**
 * SMART on FHIR resource scopes (v2 `patient/Observation.rs`, and v1 `patient/Observation.read`
 * read as their v2 equivalents): which interactions a token allows on which resource types.
 */
export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type or '*'. */
  type: string;
  permissions: Set<Permission>;
}

const v1 = { read: 'rs', write: 'cud', '*': 'cruds' } as const;

export function parseResourceScope(scope: string): ResourceScope | undefined {
  const m = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$/.exec(scope);
  if (!m || m[3] === '') return undefined;
  const letters = m[3] in v1 ? v1[m[3] as keyof typeof v1] : m[3];
  return { context: m[1] as ScopeContext, type: m[2], permissions: new Set(letters.split('') as Permission[]) };
}

export function parseScopes(scope: string | undefined): ResourceScope[] {
  return (scope ?? '').split(/\s+/).flatMap((s) => {
    const parsed = parseResourceScope(s);
    return parsed ? [parsed] : [];
  });
}

/** Whether `requested` asks for nothing beyond `allowed` (same context, type covered, permissions a subset). */
export function isWithin(requested: ResourceScope, allowed: ResourceScope): boolean {
  if (requested.context !== allowed.context) return false;
  if (allowed.type !== '*' && allowed.type !== requested.type) return false;
  return [...requested.permissions].every((p) => allowed.permissions.has(p));
}

/** The scopes that grant `permission` on `type`; empty means the token does not allow it. */
export function scopesAllowing(scopes: ResourceScope[], type: string, permission: Permission): ResourceScope[] {
  return scopes.filter((s) => (s.type === '*' || s.type === type) && s.permissions.has(permission));
}
