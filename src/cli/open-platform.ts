import { masterKeyFile, type HuzaConfig } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open-database.ts';
import { createFhirEngine, type FhirEngine } from '../fhir/fhir-engine.ts';
import { openContentEncryption, type ContentCipher } from '../security/encryption/content-cipher.ts';
import type { KeyRing } from '../security/encryption/key-ring.ts';
import { installClientRegistry } from '../registry/client/install-client-registry.ts';
import { installFacilityRegistry } from '../registry/facility/install-facility-registry.ts';
import { installWorkforceRegistry } from '../registry/workforce/install-workforce-registry.ts';
import { installProductCatalogue } from '../registry/product/install-product-catalogue.ts';
import type { ClientRegistry } from '../registry/client/client-registry.ts';
import type { MasterKeySource } from '../security/encryption/master-key.ts';

export interface Platform {
  config: HuzaConfig;
  db: Database;
  engine: FhirEngine;
  /** Master-key-wrapped data, signing and cookie keys; the engine's content is encrypted under its data keys. */
  keyRing: KeyRing;
  cipher: ContentCipher;
  /** The master patient index every Patient write goes through. */
  clientRegistry: ClientRegistry;
}

/** HUZA_MASTER_KEY, else the key file (created on first use outside production, where losing it loses only demo data). */
export function masterKeySource(config: HuzaConfig): MasterKeySource {
  return { base64: config.masterKey, file: masterKeyFile(config), allowCreate: process.env.NODE_ENV !== 'production' };
}

/**
 * Opens the configured database (migrating it), the key ring (refusing a master key that does not
 * match the database) and the FHIR engine over them, storing content encrypted: what every command
 * starts from.
 */
export async function openPlatform(config: HuzaConfig): Promise<Platform> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize });
  try {
    const { keyRing, cipher } = await openContentEncryption(db, masterKeySource(config));
    const engine = createFhirEngine(db, { validate: config.validate, maxSnapshotSize: config.maxSnapshotSize, contentCodec: cipher });
    const clientRegistry = installClientRegistry(engine);
    installFacilityRegistry(engine);
    installWorkforceRegistry(engine);
    installProductCatalogue(engine);
    return { config, db, engine, keyRing, cipher, clientRegistry };
  } catch (error) {
    await db.close();
    throw error;
  }
}
