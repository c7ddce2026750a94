import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config.ts';

test('defaults: embedded database in ./data on loopback port 8080', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, './data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.validate, true);
});

test('environment overrides the config file, flags override both', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'huza-config-'));
  const file = join(dir, 'huza.json');
  await writeFile(file, JSON.stringify({ port: 9000, dataDir: '/srv/huza', poolSize: 4 }));
  const config = loadConfig({ HUZA_CONFIG: file, PORT: '9100', DATABASE_URL: 'postgres://db/huza', HUZA_VALIDATE: 'false' }, { host: '0.0.0.0' });
  assert.equal(config.port, 9100);
  assert.equal(config.dataDir, '/srv/huza');
  assert.equal(config.poolSize, 4);
  assert.equal(config.databaseUrl, 'postgres://db/huza');
  assert.equal(config.validate, false);
  assert.equal(config.host, '0.0.0.0');
});

test('bad values are refused with the variable named', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be a whole number/);
  assert.throws(() => loadConfig({ HUZA_DB_POOL_SIZE: '-1' }), /HUZA_DB_POOL_SIZE/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must start with postgres/);
});
