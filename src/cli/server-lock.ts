import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database can be opened by one process only. A server running on it leaves this lock
 * (pid, port and a local admin token, readable by its owner only) so commands go through the server
 * instead of opening the database a second time.
 */
export interface ServerLock {
  pid: number;
  /** Where the server answers, e.g. https://127.0.0.1:8080 */
  origin: string;
  /** PEM of a development certificate to trust when calling it, if it serves one. */
  ca?: string;
  adminToken: string;
}

const lockName = 'huza-server.lock.json';

export function lockPath(dataDir: string): string {
  return join(dataDir, lockName);
}

export function writeServerLock(dataDir: string, origin: string, ca?: string): ServerLock {
  mkdirSync(dataDir, { recursive: true });
  const lock: ServerLock = { pid: process.pid, origin, ...(ca ? { ca } : {}), adminToken: randomBytes(32).toString('base64url') };
  writeFileSync(lockPath(dataDir), JSON.stringify(lock), { mode: 0o600 });
  return lock;
}

export function removeServerLock(dataDir: string): void {
  rmSync(lockPath(dataDir), { force: true });
}

/** The lock of a live server on this data folder, or undefined (a stale lock of a dead process is ignored). */
export function readServerLock(dataDir: string): ServerLock | undefined {
  const path = lockPath(dataDir);
  if (!existsSync(path)) return undefined;
  const lock = JSON.parse(readFileSync(path, 'utf8')) as ServerLock;
  try {
    process.kill(lock.pid, 0);
    return lock;
  } catch {
    return undefined;
  }
}
