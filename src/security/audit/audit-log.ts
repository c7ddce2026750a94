import { createHash } from 'node:crypto';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { accessAuditEvent, loginAuditEvent, type AccessRecord, type LoginRecord } from './audit-event.ts';

export const auditChainGenesis = '0'.repeat(64);

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Records AuditEvents off the request path: events queue in memory and are written in batches (every
 * flushMs, or sooner when many wait), each batch in one transaction that extends the hash chain under
 * an advisory lock, so several app nodes append to one chain. close() writes what is still queued.
 */
export class AuditLog {
  private readonly repo: FhirRepository;
  private readonly flushMs: number;
  private queue: FhirResource[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(repo: FhirRepository, options: { flushMs?: number } = {}) {
    this.repo = repo;
    this.flushMs = options.flushMs ?? 200;
  }

  recordAccess(record: AccessRecord): void {
    this.enqueue(accessAuditEvent(record, new Date()));
  }

  async recordLogin(record: LoginRecord): Promise<void> {
    this.enqueue(loginAuditEvent(record, new Date()));
  }

  private enqueue(event: FhirResource): void {
    this.queue.push(event);
    if (this.queue.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything queued so far; resolves once it is committed. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async write(batch: FhirResource[]): Promise<void> {
    await this.repo.withTransaction(async (repo) => {
      await repo.sql.query('SELECT pg_advisory_xact_lock(7262002)');
      const head = await repo.sql.query<{ seq: number; chain_hash: string }>('SELECT seq, chain_hash FROM audit_chain ORDER BY seq DESC LIMIT 1');
      let seq = Number(head.rows[0]?.seq ?? 0);
      let previous = head.rows[0]?.chain_hash ?? auditChainGenesis;
      for (const event of batch) {
        // AuditEvents are built by us, so they skip the validator; the chain covers the stored JSON.
        const stored = await repo.createTrusted(event);
        const contentHash = sha256(stored.json as string);
        const chainHash = sha256(previous + contentHash);
        seq += 1;
        await repo.sql.query('INSERT INTO audit_chain (seq, audit_event_id, recorded, content_hash, chain_hash) VALUES ($1, $2, $3, $4, $5)',
          [seq, stored.id, stored.lastUpdated, contentHash, chainHash]);
        previous = chainHash;
      }
    });
  }
}
