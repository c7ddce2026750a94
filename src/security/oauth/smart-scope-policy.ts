import { isWithin, parseResourceScope, parseScopes } from '../access/smart-scopes.ts';

/**
 * Which of the SMART resource scopes a client asks for it may have: each must lie within one of the
 * patterns it was registered with (e.g. registered `system/*.cruds` covers `system/Observation.rs`).
 * Anything beyond is scope escalation, refused by name rather than silently dropped.
 */
export function grantableScopes(requested: string[], registered: string | undefined): { granted: string[]; refused: string[] } {
  const allowed = parseScopes(registered);
  const granted: string[] = [];
  const refused: string[] = [];
  for (const scope of requested) {
    const parsed = parseResourceScope(scope);
    if (!parsed) continue;
    (allowed.some((a) => isWithin(parsed, a)) ? granted : refused).push(scope);
  }
  return { granted, refused };
}
