/**
 * Huza as the platform runs it, over a benchmark database: the FHIR engine storing content through the
 * AES-256-GCM content cipher (encryption at rest), and the full HTTP server (OAuth2 bearer tokens, the
 * access policy, the audit of every patient-data access) with a system client's token.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../src/db/database.ts';
import { createFhirEngine, type FhirEngine } from '../src/fhir/fhir-engine.ts';
import { type ContentCipher, openContentEncryption } from '../src/security/encryption/content-cipher.ts';
import type { KeyRing } from '../src/security/encryption/key-ring.ts';
import type { MasterKeySource } from '../src/security/encryption/master-key.ts';
import { rotateDataKey } from '../src/security/encryption/rotate-keys.ts';
import { createSecurityServices, type SecurityServices } from '../src/security/security-services.ts';
import { buildServer } from '../src/server/build-server.ts';
import { freePort } from '../src/test-support/free-port.ts';
import { clientCredentialsToken } from '../src/test-support/oauth-flow.ts';

/** A fixed master key for benchmark databases only, so that a dataset stays readable across runs. */
export const benchMasterKey: MasterKeySource = { base64: Buffer.alloc(32, 0x62).toString('base64'), file: '/nonexistent', allowCreate: false };

export interface BenchEngine {
  engine: FhirEngine;
  cipher: ContentCipher;
  keyRing: KeyRing;
}

export async function openBenchEngine(db: Database, options: { validate: boolean }): Promise<BenchEngine> {
  const { keyRing, cipher } = await openContentEncryption(db, benchMasterKey);
  const engine = createFhirEngine(db, { validate: options.validate, maxSnapshotSize: 10_000, contentCodec: cipher });
  return { engine, cipher, keyRing };
}

/**
 * Encrypts content still stored as plaintext (format 0x00: rows written before encryption at rest
 * existed) with the platform's own key rotation, so reads decrypt as they do in production.
 */
export async function encryptAtRest(db: Database, cipher: ContentCipher, log: (line: string) => void): Promise<void> {
  const plain = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM resource WHERE content IS NOT NULL AND get_byte(content, 0) = 0 LIMIT 1) x`);
  if (plain.rows[0].n === 0) return;
  log(`[${db.kind}] encrypting plaintext content at rest (huza keys rotate --no-new-key)…`);
  let last = 0;
  const report = await rotateDataKey(db, cipher, {
    newKey: false, batchSize: 2000, settleMs: 0,
    onProgress: (p) => {
      if (Date.now() - last > 30_000) {
        last = Date.now();
        log(`  ${p.table}: ${p.done}/${p.total}`);
      }
    },
  });
  log(`[${db.kind}] re-encrypted ${report.reencrypted.resource} resource and ${report.reencrypted.resource_history} history rows in ${report.seconds.toFixed(0)} s`);
  await db.query('VACUUM ANALYZE resource');
  await db.query('VACUUM ANALYZE resource_history');
}

export interface BenchServer {
  app: FastifyInstance;
  port: number;
  security: SecurityServices;
  /** Bearer token of a system client with system/*.cruds (a facility EMR's integration). */
  token: string;
  /** A new token for the same client: tokens live 15 minutes, a benchmark longer. */
  freshToken(): Promise<string>;
  close(): Promise<void>;
}

/** The whole Huza HTTP server on a free loopback port, as `huza start` builds it. */
export async function startBenchServer(db: Database, bench: BenchEngine): Promise<BenchServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const security = await createSecurityServices({ db, engine: bench.engine, origin, keyRing: bench.keyRing });
  const app = await buildServer({ db, engine: bench.engine, security, bodyLimit: 32 * 1024 * 1024, logLevel: 'warn', loginRateLimit: 10_000 });
  await app.listen({ host: '127.0.0.1', port });
  const scope = 'system/*.cruds';
  const client = await security.clients.createSystemClient({ name: 'huza benchmark', scope });
  const freshToken = async () => {
    const token = await clientCredentialsToken(origin, client.client_id, client.client_secret as string, scope);
    if (token.status !== 200) throw new Error(`benchmark client got no token: ${JSON.stringify(token.body)}`);
    return token.body.access_token;
  };
  return {
    app, port, security, token: await freshToken(), freshToken,
    async close() {
      await app.close();
      await security.audit.close();
    },
  };
}
