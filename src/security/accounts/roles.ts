/** The people who use Huza, as roles an account can hold (several at once). */
export const roles = [
  'exchange-admin', 'registry-steward', 'clinician', 'specialist', 'chw', 'chw-supervisor', 'regulator', 'auditor', 'patient',
] as const;

export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
