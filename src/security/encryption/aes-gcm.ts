import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';

const ivLength = 12;
const tagLength = 16;

// Node turns a raw key into a KeyObject on every cipher it creates; key buffers live as long as the
// key ring holds them, so their KeyObjects are made once (a third of the cost of sealing a resource).
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(key: Buffer): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, k = createSecretKey(key));
  return k;
}

// IVs are random (96 bits from the CSPRNG, as before), drawn from a pool filled 1,024 at a time: a
// call into the CSPRNG per resource cost more than the encryption itself in bulk loads.
const ivPool = Buffer.alloc(ivLength * 1024);
let ivNext = ivPool.length;

function freshIv(): Buffer {
  if (ivNext === ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  // A copy: the pool is refilled in place, and the IV goes out with the ciphertext.
  const iv = Buffer.from(ivPool.subarray(ivNext, ivNext + ivLength));
  ivNext += ivLength;
  return iv;
}

/** AES-256-GCM: iv ‖ ciphertext ‖ tag. The associated data binds a ciphertext to where it belongs. */
export function seal(key: Buffer, plaintext: Buffer, associatedData?: Buffer): Buffer {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), iv);
  if (associatedData) cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, associatedData?: Buffer): Buffer {
  const iv = sealed.subarray(0, ivLength);
  const tag = sealed.subarray(sealed.length - tagLength);
  const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), iv);
  if (associatedData) decipher.setAAD(associatedData);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(ivLength, sealed.length - tagLength)), decipher.final()]);
}
