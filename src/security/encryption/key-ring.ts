import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { open, seal } from './aes-gcm.ts';
import type { MasterKey } from './master-key.ts';

export type KeyPurpose = 'data' | 'signing' | 'cookie';

interface KeyRow {
  version: number;
  wrapped: Uint8Array;
  master_key_id: string;
}

/**
 * Versioned keys, each wrapped (AES-256-GCM) by the master key (envelope encryption). Unwrapped keys
 * live only in memory. Rotation adds a version; older versions stay readable until re-encryption has
 * moved everything off them.
 */
export class KeyRing {
  private readonly sql: Queryable;
  private master: MasterKey;
  private readonly keys = new Map<string, Buffer>();
  private readonly current = new Map<KeyPurpose, number>();

  constructor(sql: Queryable, master: MasterKey) {
    this.sql = sql;
    this.master = master;
  }

  /** Loads every key of a purpose, creating version 1 from `create` when there is none yet. */
  async load(purpose: KeyPurpose, create: () => Buffer): Promise<void> {
    let rows = await this.rows(purpose);
    if (rows.length === 0) {
      await this.sql.query(
        `INSERT INTO key_ring (purpose, version, wrapped, master_key_id) VALUES ($1, 1, $2, $3) ON CONFLICT DO NOTHING`,
        [purpose, this.wrap(purpose, 1, create()), this.master.id]);
      rows = await this.rows(purpose);
    }
    this.unwrapRows(purpose, rows);
  }

  /**
   * Picks up versions another process added (a rotation run by `huza keys rotate` while this one
   * serves): versions already held are kept as they are, new ones are unwrapped and the newest becomes
   * current. Returns the current version.
   */
  async reload(purpose: KeyPurpose): Promise<number> {
    const rows = (await this.rows(purpose)).filter((r) => !this.keys.has(`${purpose}:${r.version}`));
    if (rows.length > 0) this.unwrapRows(purpose, rows);
    return this.currentVersion(purpose);
  }

  /** Loads every purpose the database holds keys for, creating none (for re-wrapping them all). */
  async loadAll(): Promise<KeyPurpose[]> {
    const purposes = (await this.sql.query<{ purpose: KeyPurpose }>('SELECT DISTINCT purpose FROM key_ring ORDER BY purpose')).rows.map((r) => r.purpose);
    for (const purpose of purposes) this.unwrapRows(purpose, await this.rows(purpose));
    return purposes;
  }

  get masterKeyId(): string {
    return this.master.id;
  }

  hasKey(purpose: KeyPurpose, version: number): boolean {
    return this.keys.has(`${purpose}:${version}`);
  }

  currentVersion(purpose: KeyPurpose): number {
    const v = this.current.get(purpose);
    if (v === undefined) throw new Error(`Key ring not loaded for ${purpose}`);
    return v;
  }

  key(purpose: KeyPurpose, version: number): Buffer {
    const key = this.keys.get(`${purpose}:${version}`);
    if (!key) throw new Error(`No ${purpose} key version ${version}`);
    return key;
  }

  allKeys(purpose: KeyPurpose): { version: number; key: Buffer }[] {
    return [...this.keys].filter(([k]) => k.startsWith(`${purpose}:`)).map(([k, key]) => ({ version: Number(k.split(':')[1]), key }));
  }

  /** Adds a new current version; what was written under older versions stays readable. */
  async rotate(purpose: KeyPurpose, create: () => Buffer = () => randomBytes(32)): Promise<number> {
    const result = await this.sql.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM key_ring WHERE purpose = $1', [purpose]);
    const version = result.rows[0].v + 1;
    const key = create();
    await this.sql.query('INSERT INTO key_ring (purpose, version, wrapped, master_key_id) VALUES ($1, $2, $3, $4)',
      [purpose, version, this.wrap(purpose, version, key), this.master.id]);
    this.keys.set(`${purpose}:${version}`, key);
    this.current.set(purpose, version);
    return version;
  }

  /**
   * Re-wraps every loaded key under a new master key (master key rotation); the data itself is
   * untouched. Give it a transaction so that the ring is never left half under one master, half under
   * the other. Keys added afterwards are wrapped under the new master.
   */
  async rewrap(newMaster: MasterKey, sql: Queryable = this.sql): Promise<number> {
    for (const [name, key] of this.keys) {
      const [purpose, version] = name.split(':');
      await sql.query('UPDATE key_ring SET wrapped = $3, master_key_id = $4 WHERE purpose = $1 AND version = $2',
        [purpose, Number(version), seal(newMaster.key, key, aad(purpose, Number(version))), newMaster.id]);
    }
    this.master = newMaster;
    return this.keys.size;
  }

  private unwrapRows(purpose: KeyPurpose, rows: KeyRow[]): void {
    for (const row of rows) {
      if (row.master_key_id !== this.master.id) {
        throw new Error(`The master key does not match this database: key ${purpose} v${row.version} is wrapped by master key ${row.master_key_id}, `
          + `the configured master key is ${this.master.id}. Set HUZA_MASTER_KEY (or HUZA_MASTER_KEY_FILE) to the key this database's keys were wrapped with.`);
      }
      let key: Buffer;
      try {
        key = open(this.master.key, Buffer.from(row.wrapped), aad(purpose, row.version));
      } catch {
        throw new Error(`Key ${purpose} v${row.version} cannot be unwrapped with the configured master key ${this.master.id}: the key ring row is corrupted or was altered`);
      }
      this.keys.set(`${purpose}:${row.version}`, key);
    }
    const newest = Math.max(...rows.map((r) => r.version));
    if (newest > (this.current.get(purpose) ?? 0)) this.current.set(purpose, newest);
  }

  private wrap(purpose: string, version: number, key: Buffer): Buffer {
    return seal(this.master.key, key, aad(purpose, version));
  }

  private async rows(purpose: KeyPurpose): Promise<KeyRow[]> {
    return (await this.sql.query<KeyRow>('SELECT version, wrapped, master_key_id FROM key_ring WHERE purpose = $1 ORDER BY version', [purpose])).rows;
  }
}

function aad(purpose: string, version: number): Buffer {
  return Buffer.from(`huza-key:${purpose}:${version}`);
}
