import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStorage, huzaCommand } from '../test-support/huza-process.ts';
import { removeServerLock, writeServerLock } from './server-lock.ts';

const huza = (args: string[], env: Record<string, string>) => huzaCommand(args, env);

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza keys rotate on ${kind}`, () => {
    test('rotates the data key and re-encrypts, re-wraps under a new master key, and a wrong master key is refused', async () => {
      const storage = await processStorage(kind);
      const dir = kind === 'pglite' ? storage.env.HUZA_DATA_DIR : undefined;
      // The embedded database keeps its development master key in a file; PostgreSQL gets it from the environment.
      const keyA = Buffer.alloc(32, 4).toString('base64');
      const keyB = Buffer.alloc(32, 5).toString('base64');
      const env: Record<string, string> = kind === 'postgres' ? { ...storage.env, HUZA_MASTER_KEY: keyA } : { ...storage.env };
      // No server runs on this test database: nothing to wait for (the default waits for servers to load the key).
      const settle = ['--settle', '0'];
      try {
        const seeded = await huza(['seed', '--patients', '2'], env);
        assert.equal(seeded.code, 0, seeded.stderr);
        const originalKey = dir ? readFileSync(join(dir, 'master.key'), 'utf8').trim() : keyA;

        const rotated = await huza(['keys', 'rotate', '--batch', '100', ...settle], env);
        assert.equal(rotated.code, 0, rotated.stderr);
        const m = /Data key version 2 is current\. Re-encrypted (\d+) current and (\d+) history rows/.exec(rotated.stdout);
        assert.ok(m, rotated.stdout);
        assert.ok(Number(m[1]) > 100 && Number(m[2]) >= Number(m[1]), rotated.stdout);
        assert.match(rotated.stdout, /data key versions 1 any longer; they are marked retired/);

        const again = await huza(['keys', 'rotate', '--no-new-key', ...settle], env);
        assert.match(again.stdout, /Data key version 2 is current\. Re-encrypted 0 current and 0 history rows/, 'nothing left to move');

        // Master key rotation.
        const newKeyFile = join(dir ?? '/tmp', `new-master-${process.pid}.key`);
        writeFileSync(newKeyFile, `${keyB}\n`, { mode: 0o600 });
        const rewrapped = await huza(['keys', 'rotate', '--master', newKeyFile], env);
        assert.equal(rewrapped.code, 0, rewrapped.stderr);
        assert.match(rewrapped.stdout, /Re-wrapped \d+ keys: master key \w+ → \w+/);
        if (dir) {
          assert.equal(readFileSync(join(dir, 'master.key'), 'utf8').trim(), keyB, 'the key file now holds the new master key');
        } else {
          assert.match(rewrapped.stdout, /Set HUZA_MASTER_KEY to the new key/);
        }

        // The old master key no longer opens the database: a clear error, for commands and for start.
        const oldKey = { ...env, HUZA_MASTER_KEY: originalKey };
        const refused = await huza(['keys', 'rotate'], oldKey);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /^huza: The master key does not match this database: .*HUZA_MASTER_KEY/m);
        assert.doesNotMatch(refused.stderr, /at .*\.ts:\d+/, 'no stack trace');
        const start = await huza(['start', '--port', '0'], oldKey);
        assert.equal(start.code, 1);
        assert.match(start.stderr, /The master key does not match this database/);

        const withNew = kind === 'postgres' ? { ...env, HUZA_MASTER_KEY: keyB } : env;
        const third = await huza(['keys', 'rotate', ...settle], withNew);
        assert.equal(third.code, 0, third.stderr);
        assert.match(third.stdout, /Data key version 3 is current/);
        const verified = await huza(['audit', 'verify'], withNew);
        assert.equal(verified.code, 0, verified.stderr + verified.stdout);

        if (dir) {
          // The embedded database belongs to the server that has it open.
          writeServerLock(dir, 'http://127.0.0.1:1');
          try {
            const busy = await huza(['keys', 'rotate'], env);
            assert.equal(busy.code, 1);
            assert.match(busy.stderr, /has .* open; stop it first/);
          } finally {
            removeServerLock(dir);
          }
        }
      } finally {
        await storage.cleanup();
      }
    });
  });
}
