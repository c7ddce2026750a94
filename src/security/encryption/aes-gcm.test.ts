import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { open, seal } from './aes-gcm.ts';

test('every seal has its own IV, across refills of the IV pool, and opens back', () => {
  const key = randomBytes(32);
  const plaintext = Buffer.from('{"resourceType":"Patient"}');
  const ivs = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const sealed = seal(key, plaintext, Buffer.from('Patient/p1/1'));
    ivs.add(sealed.subarray(0, 12).toString('hex'));
    assert.deepEqual(open(key, sealed, Buffer.from('Patient/p1/1')), plaintext);
  }
  assert.equal(ivs.size, 3000);
});

test('a ciphertext does not open under other associated data or a changed byte', () => {
  const key = randomBytes(32);
  const sealed = seal(key, Buffer.from('secret'), Buffer.from('Patient/p1/1'));
  assert.throws(() => open(key, sealed, Buffer.from('Patient/p2/1')));
  const tampered = Buffer.from(sealed);
  tampered[14] ^= 1;
  assert.throws(() => open(key, tampered, Buffer.from('Patient/p1/1')));
});
