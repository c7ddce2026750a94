import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { clientCredentialsToken } from './oauth-flow.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFreshPostgresDatabase } from './test-databases.ts';

const huzaBin = fileURLToPath(new URL('../../bin/huza', import.meta.url));

/** Where a `huza start` process keeps its data: an embedded data folder or a fresh PostgreSQL database. */
export interface ProcessStorage {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function processStorage(kind: 'pglite' | 'postgres'): Promise<ProcessStorage> {
  if (kind === 'postgres') {
    const fresh = await createFreshPostgresDatabase();
    return { env: { DATABASE_URL: fresh.url }, cleanup: fresh.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), 'huza-test-'));
  return { env: { HUZA_DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface HuzaProcess {
  child: ChildProcessWithoutNullStreams;
  fhirBase: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Runs the real `bin/huza` command; start resolves once the server listens. */
export function runHuza(args: string[], env: Record<string, string>): HuzaProcess & { ready: Promise<void> } {
  const child = spawn(huzaBin, args, { env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  let out = '';
  let origin = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening: (https?:\/\/[^/\s]+)\/fhir/.exec(out);
      if (m && !origin) {
        origin = m[1];
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`huza exited with ${code} before listening:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    ready,
    exited,
    output: () => out,
    get fhirBase() {
      return `${origin}/fhir`;
    },
  };
}

export { freePort } from './free-port.ts';

/** Runs one `huza` command to its end: exit code and output, never a throw for a non-zero exit. */
export async function huzaCommand(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(huzaBin, args, { env: { ...process.env, ...env }, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `huza clients create --json`, as an operator runs it (through a running server or the database). */
export async function createClient(env: Record<string, string>, scope = 'system/*.cruds'): Promise<{ client_id: string; client_secret: string }> {
  const { stdout } = await promisify(execFile)(huzaBin, ['clients', 'create', '--name', 'Test EMR', '--scope', scope, '--json'], { env: { ...process.env, ...env } });
  return JSON.parse(stdout) as { client_id: string; client_secret: string };
}

/** A token for a registered client through the client-credentials flow. */
export async function tokenFor(origin: string, client: { client_id: string; client_secret: string }, scope = 'system/*.cruds'): Promise<string> {
  const { status, body } = await clientCredentialsToken(origin, client.client_id, client.client_secret, scope);
  if (status !== 200) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}
