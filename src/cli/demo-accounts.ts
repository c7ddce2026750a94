import { randomBytes } from 'node:crypto';
import type { AccountStore } from '../security/accounts/account-store.ts';
import type { Role } from '../security/accounts/roles.ts';
import type { Platform } from './open-platform.ts';

export interface DemoAccount {
  role: Role;
  username: string;
  password: string;
}

/**
 * One account per role over the demo data: staff tied to a demo practitioner and the facility of their
 * PractitionerRole, and a patient tied to a demo patient. Passwords are random at every creation.
 */
export async function createDemoAccounts(platform: Platform, accounts: AccountStore): Promise<DemoAccount[]> {
  const sql = platform.db;
  const roles = await sql.query<{ practitioner: string; organization: string }>(
    `SELECT p.target_id AS practitioner, o.target_id AS organization FROM sp_reference p
     JOIN sp_reference o ON o.resource_type = p.resource_type AND o.resource_id = p.resource_id AND o.param = 'organization'
     WHERE p.resource_type = 'PractitionerRole' AND p.param = 'practitioner' ORDER BY p.resource_id LIMIT 9`);
  const patient = await sql.query<{ id: string }>(
    `SELECT r.id FROM resource r WHERE r.resource_type = 'Patient' AND NOT r.deleted
     AND EXISTS (SELECT 1 FROM sp_token t WHERE t.resource_type = 'Patient' AND t.resource_id = r.id AND t.param = 'identifier'
       AND t.system = 'https://moh.gov.rw/fhir/id/national-id') ORDER BY r.id LIMIT 1`);
  const staff: [Role, string][] = [
    ['exchange-admin', 'admin'], ['registry-steward', 'steward'], ['clinician', 'clinician'], ['specialist', 'specialist'],
    ['chw', 'chw'], ['chw-supervisor', 'chw-supervisor'], ['regulator', 'regulator'], ['auditor', 'auditor'],
  ];
  const created: DemoAccount[] = [];
  for (const [i, [role, username]] of staff.entries()) {
    const link = roles.rows[i % Math.max(roles.rows.length, 1)];
    const password = randomBytes(9).toString('base64url');
    await accounts.create({
      username, password, displayName: `Demo ${role}`, roles: [role],
      fhirUser: link ? `Practitioner/${link.practitioner}` : undefined,
      facilities: link && ['clinician', 'specialist', 'chw', 'chw-supervisor'].includes(role) ? [link.organization] : [],
    });
    created.push({ role, username, password });
  }
  if (patient.rows[0]) {
    const password = randomBytes(9).toString('base64url');
    await accounts.create({ username: 'patient', password, displayName: 'Demo patient', roles: ['patient'], fhirUser: `Patient/${patient.rows[0].id}` });
    created.push({ role: 'patient', username: 'patient', password });
  }
  return created;
}
