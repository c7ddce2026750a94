import type { Database } from '../db/database.ts';
import { createFhirEngine, type FhirEngine } from '../fhir/fhir-engine.ts';
import { openContentEncryption, type ContentCipher } from '../security/encryption/content-cipher.ts';
import type { KeyRing } from '../security/encryption/key-ring.ts';
import type { MasterKeySource } from '../security/encryption/master-key.ts';
import { createSecurityServices, type SecurityServices } from '../security/security-services.ts';
import { installClientRegistry } from '../registry/client/install-client-registry.ts';
import { installWorkforceRegistry } from '../registry/workforce/install-workforce-registry.ts';
import { installProductCatalogue } from '../registry/product/install-product-catalogue.ts';
import type { ClientRegistry } from '../registry/client/client-registry.ts';
import { installFacilityRegistry } from '../registry/facility/install-facility-registry.ts';
import { buildServer } from '../server/build-server.ts';
import { freePort } from './free-port.ts';
import { clientCredentialsToken } from './oauth-flow.ts';
import type { TestDatabaseKind } from './test-databases.ts';

export interface FhirCall {
  method?: string;
  body?: unknown;
  /** `authorization: ''` sends no token at all; any other value replaces the harness's own. */
  headers?: Record<string, string>;
}

export interface Served {
  engine: FhirEngine;
  security: SecurityServices;
  /** http://127.0.0.1:PORT/fhir */
  fhirBase: string;
  origin: string;
  /** A token of a system client registered with system/*.cruds, used by fhir() unless told otherwise. */
  systemToken: string;
  /** fetch against the FHIR base; JSON bodies are sent as application/fhir+json. */
  fhir(path: string, init?: FhirCall): Promise<{ status: number; headers: Headers; body: any }>;
  /** A token for a new system client allowed exactly `scope` (and facility, if given). */
  systemTokenFor(scope: string, facility?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServer extends Served {
  db: Database;
  /** The client registry, when the server was started with it. */
  clientRegistry?: ClientRegistry;
  /** The content cipher the engine stores through (its key ring is security.keyRing). */
  cipher: ContentCipher;
  /** Empties the FHIR store (and the audit chain over it) between tests that want a clean slate. */
  reset(): Promise<void>;
}

/** One master key for every test server, so several servers can share one test database. */
const testMasterKey = Buffer.alloc(32, 7).toString('base64');
export const testMasterKeySource: MasterKeySource = { base64: testMasterKey, file: '/nonexistent', allowCreate: false };

/** A real Huza HTTP server (FHIR API, authorization server, audit) on a free loopback port over the given database. */
export async function serve(db: Database, engine: FhirEngine, options: { bodyLimit?: number; keyRing?: KeyRing } = {}): Promise<Served> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const security = await createSecurityServices({
    db, engine, origin, auditFlushMs: 20, keyRing: options.keyRing, masterKey: testMasterKeySource,
  });
  const app = await buildServer({ db, engine, security, bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024, logLevel: 'silent', loginRateLimit: 10_000 });
  await app.listen({ port, host: '127.0.0.1' });
  const fhirBase = `${origin}/fhir`;
  const systemTokenFor = async (scope: string, facility?: string) => {
    const client = await security.clients.createSystemClient({ name: 'test harness', scope, facility });
    const token = await clientCredentialsToken(origin, client.client_id, client.client_secret as string, scope);
    if (token.status !== 200) throw new Error(`test harness got no token: ${JSON.stringify(token.body)}`);
    return token.body.access_token;
  };
  const systemToken = await systemTokenFor('system/*.cruds');
  return {
    engine, security, fhirBase, origin, systemToken, systemTokenFor,
    async fhir(path, init = {}) {
      const headers: Record<string, string> = { accept: 'application/fhir+json', authorization: `Bearer ${systemToken}`, ...init.headers };
      if (headers.authorization === '') delete headers.authorization;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/fhir+json';
      }
      const url = path.startsWith('http') ? path : `${fhirBase}/${path.replace(/^\//, '')}`;
      const response = await fetch(url, { method: init.method ?? 'GET', headers, body });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    close: () => app.close(),
  };
}

/** A real Huza server over a fresh database of the given kind. */
export async function startTestServer(kind: TestDatabaseKind, options: { validate?: boolean; maxSnapshotSize?: number; clientRegistry?: boolean; workforceRegistry?: boolean; productCatalogue?: boolean; facilityRegistry?: boolean } = {}): Promise<TestServer> {
  const db = await kind.open();
  const { keyRing, cipher } = await openContentEncryption(db, testMasterKeySource);
  const engine = createFhirEngine(db, { validate: options.validate ?? true, maxSnapshotSize: options.maxSnapshotSize ?? 10_000, contentCodec: cipher });
  const clientRegistry = options.clientRegistry ? installClientRegistry(engine) : undefined;
  if (options.workforceRegistry) installWorkforceRegistry(engine);
  if (options.productCatalogue) installProductCatalogue(engine);
  if (options.facilityRegistry) installFacilityRegistry(engine);
  const served = await serve(db, engine, { keyRing });
  return {
    ...served,
    db,
    cipher,
    clientRegistry,
    async reset() {
      await served.security.audit.flush();
      await db.query(`TRUNCATE resource, resource_history, sp_string, sp_token, sp_reference, sp_date, sp_number, sp_quantity, sp_uri,
        search_snapshot, search_snapshot_entry, audit_chain, cr_link, cr_link_history, cr_block, cr_review, cr_not_duplicate`);
    },
    async close() {
      await served.close();
      await db.close();
    },
  };
}
