import type Provider from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { FhirEngine } from '../fhir/fhir-engine.ts';
import { expiringLicences } from './licensing/expiring-licences-operation.ts';
import { AccountStore } from './accounts/account-store.ts';
import { TokenAuthenticator } from './access/authenticate.ts';
import { AuditLog } from './audit/audit-log.ts';
import { KeyRing } from './encryption/key-ring.ts';
import { loadMasterKey, type MasterKeySource } from './encryption/master-key.ts';
import { buildOAuthProvider } from './oauth/build-oauth-provider.ts';
import { ClientRegistry } from './oauth/client-registry.ts';

export interface SecurityServices {
  provider: Provider;
  authenticator: TokenAuthenticator;
  audit: AuditLog;
  accounts: AccountStore;
  clients: ClientRegistry;
  keyRing: KeyRing;
  fhirBase: string;
  issuer: string;
}

export interface SecurityOptions {
  db: Database;
  /** The FHIR engine the security domain guards and plugs its operations into. */
  engine: FhirEngine;
  /** Public origin of the server (the OAuth issuer), e.g. https://huza.moh.gov.rw */
  origin: string;
  /** The key ring the content cipher of the engine was opened with (openContentEncryption); or */
  keyRing?: KeyRing;
  /** where to get the master key to open one. */
  masterKey?: MasterKeySource;
  proxy?: boolean;
  auditFlushMs?: number;
}

export async function createSecurityServices(options: SecurityOptions): Promise<SecurityServices> {
  const { db } = options;
  if (!options.keyRing && !options.masterKey) throw new Error('createSecurityServices needs the key ring or the master key');
  const keyRing = options.keyRing ?? new KeyRing(db, loadMasterKey(options.masterKey as MasterKeySource));
  const fhirBase = `${options.origin}/fhir`;
  const provider = await buildOAuthProvider({ issuer: options.origin, fhirBase, db, keyRing, proxy: options.proxy });
  const clients = new ClientRegistry(db);
  if (!options.engine.operations.find('expiring-licences', 'type', 'Basic')) options.engine.operations.register(expiringLicences);
  // The web app is a public client of our own, registered for this origin at every start.
  await clients.createAppClient({
    clientId: 'huza-web', name: 'Huza', public: true,
    scope: 'openid profile fhirUser offline_access launch/patient user/*.cruds patient/*.rs',
    redirectUris: [`${options.origin}/app/callback`], postLogoutRedirectUris: [`${options.origin}/app/`],
  });
  return {
    provider,
    authenticator: new TokenAuthenticator(provider, fhirBase),
    audit: new AuditLog(options.engine.repo, { flushMs: options.auditFlushMs }),
    accounts: new AccountStore(db),
    clients,
    keyRing,
    fhirBase,
    issuer: options.origin,
  };
}
