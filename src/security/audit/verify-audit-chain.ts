import type { Queryable } from '../../db/database.ts';
import type { ContentCodec } from '../../fhir/repository/content-codec.ts';
import { auditChainGenesis, sha256 } from './audit-log.ts';

export interface ChainReport {
  checked: number;
  ok: boolean;
  /** The first link that does not hold, with what is wrong. */
  firstBreak?: { seq: number; auditEventId: string; problem: string };
  head?: string;
}

/**
 * Recomputes the audit chain from the stored AuditEvents: a changed, deleted or reordered event, or a
 * rewritten link, breaks it at that point. Walks in pages so it runs on any size of log.
 */
export async function verifyAuditChain(sql: Queryable, content: ContentCodec, onProgress?: (checked: number, total: number) => void): Promise<ChainReport> {
  const total = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_chain')).rows[0].n;
  let previous = auditChainGenesis;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page = await sql.query<{ seq: number; audit_event_id: string; content_hash: string; chain_hash: string; content: Uint8Array | null; version_id: number | null }>(
      `SELECT c.seq, c.audit_event_id, c.content_hash, c.chain_hash, r.content, r.version_id
       FROM audit_chain c LEFT JOIN resource r ON r.resource_type = 'AuditEvent' AND r.id = c.audit_event_id
       WHERE c.seq >= $1 ORDER BY c.seq LIMIT 5000`, [expectedSeq]);
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      const fail = (problem: string): ChainReport => ({ checked, ok: false, firstBreak: { seq: Number(row.seq), auditEventId: row.audit_event_id, problem } });
      if (Number(row.seq) !== expectedSeq) return fail(`link ${expectedSeq} is missing`);
      if (row.content === null) return fail('the AuditEvent was deleted');
      if (row.version_id !== 1) return fail('the AuditEvent was changed after it was written');
      // The hash is over the plaintext JSON, so it holds across key rotations; content that fails
      // decryption (altered ciphertext) is itself a break.
      let json: string;
      try {
        json = await content.decode(row.content, { resourceType: 'AuditEvent', id: row.audit_event_id, versionId: row.version_id });
      } catch {
        return fail('the AuditEvent content failed its integrity check (altered or corrupted)');
      }
      if (sha256(json) !== row.content_hash) return fail('the AuditEvent content does not match its hash');
      const chainHash = sha256(previous + row.content_hash);
      if (chainHash !== row.chain_hash) return fail('the chain hash does not follow from the previous link');
      previous = chainHash;
      expectedSeq += 1;
      checked += 1;
    }
    onProgress?.(checked, total);
  }
  return { checked, ok: true, head: previous };
}
