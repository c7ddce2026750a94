-- Encryption at rest: resource content becomes bytes that start with a format byte, 0x00 for plaintext
-- UTF-8 JSON, 0x01 for an AES-256-GCM record (key version, IV, ciphertext, tag; see
-- src/security/encryption/content-cipher.ts). Existing rows are kept as they were, under 0x00: they stay
-- readable, and `huza keys rotate` (or `huza keys rotate --no-new-key`) encrypts them in place.

ALTER TABLE resource ALTER COLUMN content TYPE bytea
  USING CASE WHEN content IS NULL THEN NULL ELSE '\x00'::bytea || convert_to(content, 'UTF8') END;

ALTER TABLE resource_history ALTER COLUMN content TYPE bytea
  USING CASE WHEN content IS NULL THEN NULL ELSE '\x00'::bytea || convert_to(content, 'UTF8') END;
