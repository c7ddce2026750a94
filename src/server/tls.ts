import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsFiles {
  key: string;
  cert: string;
}

/** A certificate and key given by the operator (HUZA_TLS_CERT, HUZA_TLS_KEY). */
export function readTls(certFile: string, keyFile: string): { key: Buffer; cert: Buffer } {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/**
 * Development HTTPS: a self-signed certificate for localhost and 127.0.0.1, made once and kept in the
 * data folder so browsers are asked to trust it once. Production brings a real certificate.
 */
export async function developmentTls(dataDir: string): Promise<{ key: Buffer; cert: Buffer; files: TlsFiles }> {
  const files = { key: join(dataDir, 'dev-tls-key.pem'), cert: join(dataDir, 'dev-tls-cert.pem') };
  if (!existsSync(files.key) || !existsSync(files.cert)) {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 365 * 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(files.key, pems.private, { mode: 0o600 });
    writeFileSync(files.cert, pems.cert);
  }
  return { key: readFileSync(files.key), cert: readFileSync(files.cert), files };
}
