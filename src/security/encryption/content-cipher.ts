import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import {
  asBuffer, contentFormat, unreadableContent, type ContentCodec, type ContentRef,
} from '../../fhir/repository/content-codec.ts';
import { open, seal } from './aes-gcm.ts';
import { KeyRing } from './key-ring.ts';
import { loadMasterKey, type MasterKeySource } from './master-key.ts';

/** format byte (1) + data key version (uint32, big-endian) */
export const headerLength = 5;
const ivLength = 12;
const tagLength = 16;

/** How often a process checks the key ring for a data key version added by another process. */
export const defaultKeyRefreshMs = 30_000;

/**
 * Encryption at rest of resource content: AES-256-GCM under the current data key of the key ring
 * (envelope encryption: data keys are wrapped by the master key). A stored record is
 *
 *   0x01 ‖ data key version (uint32 BE) ‖ IV (12) ‖ ciphertext ‖ tag (16)
 *
 * and its associated data is the 5-byte header followed by `Type/id/_history/version`, so a record
 * moved to another row, another version or relabelled with another key version fails authentication.
 * Records of format 0x00 (plaintext, written before encryption at rest) are still read; rotation
 * (`huza keys rotate`) re-encrypts them.
 */
export class ContentCipher implements ContentCodec {
  readonly keyRing: KeyRing;
  private readonly refreshMs: number;
  private lastRefresh = Date.now();
  private refreshing: Promise<number> | undefined;

  constructor(keyRing: KeyRing, options: { refreshMs?: number } = {}) {
    this.keyRing = keyRing;
    this.refreshMs = options.refreshMs ?? defaultKeyRefreshMs;
  }

  get currentVersion(): number {
    return this.keyRing.currentVersion('data');
  }

  encode(json: string, ref: ContentRef): Buffer {
    this.refreshInBackground();
    return this.encodeWith(this.currentVersion, json, ref);
  }

  /** Encrypts under a given data key version (re-encryption targets one version whatever happens meanwhile). */
  encodeWith(version: number, json: string, ref: ContentRef): Buffer {
    const header = headerFor(version);
    return Buffer.concat([header, seal(this.keyRing.key('data', version), Buffer.from(json, 'utf8'), associatedData(header, ref))]);
  }

  async decode(stored: Uint8Array, ref: ContentRef): Promise<string> {
    const bytes = asBuffer(stored);
    if (bytes[0] === contentFormat.plaintext) return bytes.toString('utf8', 1);
    if (bytes[0] !== contentFormat.aesGcm || bytes.length < headerLength + ivLength + tagLength) {
      throw unreadableContent(ref, 'it is not a record this server writes (corrupted)');
    }
    const version = bytes.readUInt32BE(1);
    // A version this process has not seen was added by a rotation elsewhere: load it, then read. Not
    // for longer than a moment: inside an embedded-database transaction the key ring's query waits for
    // that very transaction, and the version may be a corrupted header anyway.
    if (!this.keyRing.hasKey('data', version)) await Promise.race([this.refresh().catch(() => undefined), delay(unknownVersionWaitMs)]);
    if (!this.keyRing.hasKey('data', version)) throw unreadableContent(ref, `data key version ${version} is not in the key ring`);
    try {
      return open(this.keyRing.key('data', version), bytes.subarray(headerLength), associatedData(bytes.subarray(0, headerLength), ref)).toString('utf8');
    } catch {
      throw unreadableContent(ref, 'it failed its integrity check (corrupted or altered)');
    }
  }

  /** Loads data key versions added by another process; concurrent callers share one query. */
  refresh(): Promise<number> {
    this.lastRefresh = Date.now();
    this.refreshing ??= this.keyRing.reload('data').finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Writers move to a version rotated in by another process within refreshMs, without a query per write. */
  private refreshInBackground(): void {
    if (Date.now() - this.lastRefresh < this.refreshMs) return;
    this.refresh().catch(() => undefined);
  }
}

const unknownVersionWaitMs = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function headerFor(version: number): Buffer {
  const header = Buffer.allocUnsafe(headerLength);
  header[0] = contentFormat.aesGcm;
  header.writeUInt32BE(version, 1);
  return header;
}

function associatedData(header: Buffer, ref: ContentRef): Buffer {
  return Buffer.concat([header, Buffer.from(`${ref.resourceType}/${ref.id}/_history/${ref.versionId}`, 'utf8')]);
}

/** The key ring (master key checked against the database) and the content cipher over its data keys. */
export async function openContentEncryption(sql: Queryable, masterKey: MasterKeySource, options: { refreshMs?: number } = {}): Promise<{ keyRing: KeyRing; cipher: ContentCipher }> {
  const keyRing = new KeyRing(sql, loadMasterKey(masterKey));
  await keyRing.load('data', () => randomBytes(32));
  return { keyRing, cipher: new ContentCipher(keyRing, options) };
}
