import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface MasterKey {
  /** A short fingerprint stored beside what the key wraps, so a wrong key is detected, not misused. */
  id: string;
  key: Buffer;
}

export interface MasterKeySource {
  /** HUZA_MASTER_KEY: 32 bytes, base64. Production supplies it from its secret store. */
  base64?: string;
  /** HUZA_MASTER_KEY_FILE: where a development key is kept (created on first use). */
  file: string;
  /** Creating a key file is allowed only where losing it loses only demo data. */
  allowCreate: boolean;
}

export function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The master key wraps every data and signing key; it never touches the database. */
export function loadMasterKey(source: MasterKeySource): MasterKey {
  let key: Buffer;
  if (source.base64) {
    key = Buffer.from(source.base64, 'base64');
  } else if (existsSync(source.file)) {
    key = Buffer.from(readFileSync(source.file, 'utf8').trim(), 'base64');
  } else if (source.allowCreate) {
    key = randomBytes(32);
    mkdirSync(dirname(source.file), { recursive: true });
    writeFileSync(source.file, `${key.toString('base64')}\n`, { mode: 0o600 });
  } else {
    throw new Error(`No master key: set HUZA_MASTER_KEY or create ${source.file}`);
  }
  if (key.length !== 32) throw new Error('The master key must be 32 bytes (base64 of 32 random bytes)');
  return { id: fingerprint(key), key };
}
