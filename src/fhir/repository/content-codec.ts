import { FhirError } from '../outcome/fhir-error.ts';

/** Which version of which resource a stored content belongs to: encryption binds the bytes to it. */
export interface ContentRef {
  resourceType: string;
  id: string;
  versionId: number;
}

/**
 * How a version's JSON is stored in `resource.content` and `resource_history.content` (bytea). The
 * repository encodes on every write and decodes on every read through this one interface; the
 * security domain supplies the implementation that encrypts (src/security/encryption/content-cipher.ts).
 *
 * Stored bytes start with a format byte: 0x00 is plaintext UTF-8 JSON (rows written before
 * encryption at rest, until re-encrypted), 0x01 an AES-256-GCM record.
 */
export interface ContentCodec {
  encode(json: string, ref: ContentRef): Uint8Array;
  /** The JSON of stored bytes; throws a 500 FhirError, naming no content, when they cannot be read. */
  decode(stored: Uint8Array, ref: ContentRef): Promise<string>;
}

export const contentFormat = { plaintext: 0x00, aesGcm: 0x01 } as const;

/** A view of driver bytes (Buffer from pg, Uint8Array from PGlite) without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodePlaintext(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = contentFormat.plaintext;
  body.copy(out, 1);
  return out;
}

/** Stored content that cannot be turned back into the resource: a server fault, reported without the bytes. */
export function unreadableContent(ref: ContentRef, why: string): FhirError {
  return new FhirError(500, [{
    severity: 'fatal', code: 'exception',
    diagnostics: `The stored content of ${ref.resourceType}/${ref.id} version ${ref.versionId} cannot be read: ${why}`,
  }]);
}

/**
 * Stores JSON unencrypted (format 0x00) and reads only that format. For measuring what encryption
 * costs and for tools that must not hold keys; the platform itself always stores through the cipher.
 */
export const plaintextContentCodec: ContentCodec = {
  encode: (json) => encodePlaintext(json),
  async decode(stored, ref) {
    const bytes = asBuffer(stored);
    if (bytes[0] === contentFormat.plaintext) return bytes.toString('utf8', 1);
    if (bytes[0] === contentFormat.aesGcm) throw unreadableContent(ref, 'it is encrypted and this process holds no data keys');
    throw unreadableContent(ref, 'unknown storage format (corrupted)');
  },
};
