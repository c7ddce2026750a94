/** The roles Huza knows (the `huza_roles` claim) and the pages each role's workspace offers. */
export const roles = [
  'patient', 'clinician', 'specialist', 'chw', 'chw-supervisor', 'registry-steward', 'regulator', 'auditor', 'exchange-admin',
] as const;

export type Role = (typeof roles)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export type PageId = 'profile' | 'access-log' | 'audit-log' | 'licences' | 'duplicates' | 'clients' | 'workforce' | 'health-workers' | 'products' | 'facilities' | 'terminology';

/**
 * Only pages that exist are listed: a role whose own pages are not built yet gets its profile and
 * nothing else, never placeholder content.
 */
export const workspacePages: Record<Role, readonly PageId[]> = {
  patient: ['access-log', 'profile'],
  auditor: ['audit-log', 'profile'],
  regulator: ['licences', 'workforce', 'health-workers', 'products', 'profile'],
  clinician: ['profile'],
  specialist: ['profile'],
  chw: ['profile'],
  'chw-supervisor': ['profile'],
  'registry-steward': ['duplicates', 'facilities', 'health-workers', 'products', 'terminology', 'workforce', 'profile'],
  'exchange-admin': ['clients', 'facilities', 'workforce', 'health-workers', 'products', 'terminology', 'profile'],
};

export function defaultPage(role: Role): PageId {
  return workspacePages[role][0];
}

export function workspacePath(role: Role, page: PageId = defaultPage(role)): string {
  return `/w/${role}/${page}`;
}

const activeRoleKey = 'huza.activeRole';

/** The role to open after login: the last one used if the person still has it, else the first. */
export function initialRole(userRoles: readonly Role[]): Role | undefined {
  const saved = localStorage.getItem(activeRoleKey);
  if (isRole(saved) && userRoles.includes(saved)) return saved;
  return userRoles[0];
}

export function rememberRole(role: Role): void {
  localStorage.setItem(activeRoleKey, role);
}
