import { randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Queryable } from '../../db/database.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { isRole, type Role } from './roles.ts';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** Practitioner/… or Patient/… */
  fhirUser?: string;
  facilities: string[];
  totpEnabled: boolean;
  disabled: boolean;
}

export interface NewAccount {
  username: string;
  password: string;
  displayName: string;
  roles: Role[];
  fhirUser?: string;
  facilities?: string[];
}

interface AccountRow {
  id: string;
  username: string;
  password_hash: string;
  display_name: string;
  roles: string[];
  fhir_user: string | null;
  facilities: string[];
  totp_secret: string | null;
  failed_logins: number;
  locked_until: Date | null;
  disabled: boolean;
}

export type LoginResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'unknown-or-wrong-password' | 'locked' | 'totp-required' | 'totp-wrong' | 'disabled'; lockedUntil?: Date };

/** After this many failures in a row an account locks for lockMinutes; the counter resets on success. */
export const maxFailedLogins = 5;
export const lockMinutes = 15;

export const minimumPasswordLength = 10;

// A fixed hash to verify against when the username is unknown, so both cases take the same time.
let decoyHash: Promise<string> | undefined;

export class AccountStore {
  private readonly sql: Queryable;

  constructor(sql: Queryable) {
    this.sql = sql;
  }

  async create(account: NewAccount): Promise<Account> {
    if (account.password.length < minimumPasswordLength) throw new Error(`A password needs at least ${minimumPasswordLength} characters`);
    for (const role of account.roles) if (!isRole(role)) throw new Error(`Unknown role '${role}'`);
    if (account.roles.includes('patient') && !account.fhirUser?.startsWith('Patient/')) throw new Error('A patient account must name its Patient (fhirUser Patient/…)');
    const id = randomUUID();
    await this.sql.query(
      `INSERT INTO account (id, username, password_hash, display_name, roles, fhir_user, facilities)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, account.username, await hashPassword(account.password), account.displayName, account.roles, account.fhirUser ?? null, account.facilities ?? []]);
    return (await this.findById(id)) as Account;
  }

  async findById(id: string): Promise<Account | undefined> {
    const result = await this.sql.query<AccountRow>('SELECT * FROM account WHERE id = $1', [id]);
    return result.rows[0] && toAccount(result.rows[0]);
  }

  async findByUsername(username: string): Promise<Account | undefined> {
    const result = await this.sql.query<AccountRow>('SELECT * FROM account WHERE username = $1', [username]);
    return result.rows[0] && toAccount(result.rows[0]);
  }

  /** Checks credentials with lockout after repeated failures; the same answer for unknown user and wrong password. */
  async login(username: string, password: string, totpCode?: string): Promise<LoginResult> {
    const result = await this.sql.query<AccountRow>('SELECT * FROM account WHERE username = $1', [username]);
    const row = result.rows[0];
    if (!row) {
      decoyHash ??= hashPassword('decoy-password-for-timing');
      await verifyPassword(password, await decoyHash);
      return { ok: false, reason: 'unknown-or-wrong-password' };
    }
    if (row.locked_until && new Date(row.locked_until) > new Date()) return { ok: false, reason: 'locked', lockedUntil: new Date(row.locked_until) };
    if (!(await verifyPassword(password, row.password_hash))) {
      const failed = await this.sql.query<{ failed_logins: number; locked_until: Date | null }>(
        `UPDATE account SET failed_logins = failed_logins + 1,
           locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
         WHERE id = $1 RETURNING failed_logins, locked_until`, [row.id, maxFailedLogins, lockMinutes]);
      const lockedUntil = failed.rows[0]?.locked_until;
      return lockedUntil && new Date(lockedUntil) > new Date() ? { ok: false, reason: 'locked', lockedUntil: new Date(lockedUntil) } : { ok: false, reason: 'unknown-or-wrong-password' };
    }
    if (row.disabled) return { ok: false, reason: 'disabled' };
    if (row.totp_secret) {
      if (!totpCode) return { ok: false, reason: 'totp-required' };
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(row.totp_secret) });
      if (totp.validate({ token: totpCode.replace(/\s/g, ''), window: 1 }) === null) {
        await this.sql.query('UPDATE account SET failed_logins = failed_logins + 1 WHERE id = $1', [row.id]);
        return { ok: false, reason: 'totp-wrong' };
      }
    }
    await this.sql.query('UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1', [row.id]);
    return { ok: true, account: toAccount(row) };
  }

  /** Turns on the TOTP second factor; returns the otpauth:// URI for the person's authenticator app. */
  async enableTotp(accountId: string): Promise<string> {
    const account = await this.findById(accountId);
    if (!account) throw new Error('Unknown account');
    const secret = new OTPAuth.Secret({ size: 20 });
    await this.sql.query('UPDATE account SET totp_secret = $2 WHERE id = $1', [accountId, secret.base32]);
    return new OTPAuth.TOTP({ issuer: 'Huza', label: account.username, secret }).toString();
  }
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles.filter(isRole),
    fhirUser: row.fhir_user ?? undefined,
    facilities: row.facilities,
    totpEnabled: row.totp_secret !== null,
    disabled: row.disabled,
  };
}
