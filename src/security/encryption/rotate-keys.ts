import type { Database, SqlValue } from '../../db/database.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import { headerFor, headerLength, type ContentCipher } from './content-cipher.ts';
import type { KeyRing } from './key-ring.ts';
import type { MasterKey } from './master-key.ts';

export type ContentTable = 'resource' | 'resource_history';
const contentTables: { table: ContentTable; key: string[] }[] = [
  { table: 'resource', key: ['resource_type', 'id'] },
  { table: 'resource_history', key: ['resource_type', 'id', 'version_id'] },
];

export interface ReencryptProgress {
  table: ContentTable;
  /** Rows of this table looked at so far in this pass (re-encrypted, or found already moved). */
  done: number;
  /** Rows of this table under an older version (or plaintext) when the pass started. */
  total: number;
}

export interface RotateOptions {
  /** Add a new data key version first (default). false only moves what is not yet under the current one. */
  newKey?: boolean;
  /** Rows per batch; each batch is one statement, so its own transaction. */
  batchSize?: number;
  /**
   * How long to keep sweeping after the first pass for rows that processes which had not yet loaded the
   * new key wrote under the old one (they load it within ContentCipher's refresh interval). 0 when no
   * other process writes (the embedded database, tests).
   */
  settleMs?: number;
  pollMs?: number;
  onProgress?: (progress: ReencryptProgress) => void;
}

export interface RotationReport {
  /** The data key version all content is now under. */
  version: number;
  reencrypted: Record<ContentTable, number>;
  /** Rows still under an older version when it stopped: 0 unless some could not be read (see unreadable). */
  remaining: number;
  /** Rows whose content failed authentication: left as they are, named for the operator, never decrypted into the report. */
  unreadable: string[];
  /** Older data key versions no row refers to any longer, marked retired (kept to read backups). */
  retired: number[];
  seconds: number;
}

/**
 * Key rotation without downtime: a new data key version becomes current (new writes use it at once in
 * this process, within the refresh interval in others), then every row still under an older version
 * (or stored before encryption, format 0x00) is decrypted and re-encrypted under it, in keyset-ordered
 * batches. A batch only updates rows that are still at the version read and still under an older key,
 * so a concurrent write is never overwritten: it is either already under the new key or picked up by
 * the next sweep. Reads keep working throughout, since every version stays in the key ring.
 */
export async function rotateDataKey(db: Database, cipher: ContentCipher, options: RotateOptions = {}): Promise<RotationReport> {
  const started = Date.now();
  const version = options.newKey === false ? await cipher.refresh() : await cipher.keyRing.rotate('data');
  const target = headerFor(version);
  const batchSize = options.batchSize ?? 500;
  const settleMs = options.settleMs ?? 0;
  const pollMs = options.pollMs ?? 2_000;
  const reencrypted: Record<ContentTable, number> = { resource: 0, resource_history: 0 };
  const unreadable = new Set<string>();
  let remaining = 0;
  for (let pass = 1; ; pass++) {
    for (const { table, key } of contentTables) {
      reencrypted[table] += await sweep(db, cipher, { table, key, version, target, batchSize, unreadable, onProgress: options.onProgress });
    }
    remaining = await countOlder(db, target);
    const elapsed = Date.now() - started;
    if (remaining <= unreadable.size && elapsed >= settleMs) break;
    // A write encrypted just before the rotation may commit behind the sweep: a few more passes catch
    // it. Stragglers past twice the settle time are reported rather than waited for forever.
    if (pass >= 3 && elapsed >= 2 * settleMs) break;
    await new Promise((resolve) => setTimeout(resolve, settleMs > 0 ? pollMs : 20));
  }
  let retired: number[] = [];
  if (remaining === 0) {
    const result = await db.query<{ version: number }>(
      `UPDATE key_ring SET retired = now() WHERE purpose = 'data' AND version < $1 AND retired IS NULL RETURNING version`, [version]);
    retired = result.rows.map((r) => r.version).sort((a, b) => a - b);
  }
  return { version, reencrypted, remaining, unreadable: [...unreadable], retired, seconds: (Date.now() - started) / 1000 };
}

/** Rows of both content tables not yet under the data key version of `target` (plaintext included). */
async function countOlder(db: Database, target: Buffer): Promise<number> {
  let n = 0;
  for (const { table } of contentTables) {
    const result = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE content IS NOT NULL AND substring(content from 1 for ${headerLength}) < $1`, [target]);
    n += result.rows[0].n;
  }
  return n;
}

interface SweepJob {
  table: ContentTable;
  key: string[];
  version: number;
  target: Buffer;
  batchSize: number;
  unreadable: Set<string>;
  onProgress?: (progress: ReencryptProgress) => void;
}

/**
 * One pass over a table in primary-key order. The header comparison works on bytes: format 0x00 sorts
 * before 0x01, and a big-endian key version sorts as its number, so `< header of v` is "older than v".
 */
async function sweep(db: Database, cipher: ContentCipher, job: SweepJob): Promise<number> {
  const { table, key, target } = job;
  const older = `content IS NOT NULL AND substring(content from 1 for ${headerLength}) < $1`;
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${older}`, [target])).rows[0].n;
  if (total === 0) return 0;
  job.onProgress?.({ table, done: 0, total });
  let cursor: SqlValue[] | undefined;
  let done = 0;
  let updated = 0;
  for (;;) {
    const params: SqlValue[] = [target, job.batchSize];
    const after = cursor ? `AND (${key.join(', ')}) > (${cursor.map((v) => `$${params.push(v)}`).join(', ')})` : '';
    const page = await db.query<{ resource_type: string; id: string; version_id: number; content: Uint8Array }>(
      `SELECT resource_type, id, version_id, content FROM ${table} WHERE ${older} ${after} ORDER BY ${key.join(', ')} LIMIT $2`, params);
    if (page.rows.length === 0) break;
    const batch: { t: string[]; i: string[]; v: number[]; c: string[] } = { t: [], i: [], v: [], c: [] };
    for (const row of page.rows) {
      const ref = { resourceType: row.resource_type, id: row.id, versionId: row.version_id };
      let json: string;
      try {
        json = await cipher.decode(row.content, ref);
      } catch (error) {
        if (!(error instanceof FhirError)) throw error;
        job.unreadable.add(`${table}: ${ref.resourceType}/${ref.id}/_history/${ref.versionId}`);
        continue;
      }
      batch.t.push(ref.resourceType);
      batch.i.push(ref.id);
      batch.v.push(ref.versionId);
      batch.c.push(cipher.encodeWith(job.version, json, ref).toString('hex'));
    }
    if (batch.t.length > 0) {
      // Only rows still at the version read and still under an older key: a concurrent write wins.
      const result = await db.query(
        `UPDATE ${table} AS x SET content = decode(u.c, 'hex')
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS u(t, i, v, c)
         WHERE x.resource_type = u.t AND x.id = u.i AND x.version_id = u.v
           AND substring(x.content from 1 for ${headerLength}) < $5`,
        [batch.t, batch.i, batch.v, batch.c, target]);
      updated += result.rowCount;
    }
    const last = page.rows[page.rows.length - 1];
    cursor = key.map((k) => (last as unknown as Record<string, SqlValue>)[k]);
    done += page.rows.length;
    job.onProgress?.({ table, done: Math.min(done, total), total });
  }
  return updated;
}

/**
 * Master key rotation: every key of the ring (data, signing, cookie) re-wrapped under the new master
 * in one transaction; stored content is untouched. Processes that are running keep the keys they
 * hold; each must be restarted with the new master key, and a data key rotation is best run after
 * that (a process on the old master cannot unwrap a data key added under the new one).
 */
export async function rewrapKeyRing(db: Database, keyRing: KeyRing, newMaster: MasterKey): Promise<{ keys: number; from: string; to: string }> {
  const from = keyRing.masterKeyId;
  if (newMaster.id === from) throw new Error('The new master key is the one already in use');
  await keyRing.loadAll();
  const keys = await db.transaction(async (tx) => {
    const rows = await tx.query<{ purpose: string; version: number }>('SELECT purpose, version FROM key_ring ORDER BY purpose, version FOR UPDATE');
    const missing = rows.rows.filter((r) => !keyRing.hasKey(r.purpose as 'data', r.version));
    if (missing.length > 0) throw new Error('The key ring changed while re-wrapping (a rotation elsewhere?); run the command again');
    return keyRing.rewrap(newMaster, tx);
  });
  return { keys, from, to: newMaster.id };
}
