import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { processStorage, huzaCommand } from '../test-support/huza-process.ts';

const sampleCsv = fileURLToPath(new URL('../registry/workforce/samples/district-populations-example.csv', import.meta.url));

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza populations import on ${kind}`, () => {
    test('refuses a bad file by row with nothing stored, dry run, then sets the figures on the demo districts', async () => {
      const storage = await processStorage(kind);
      const env = kind === 'postgres' ? { ...storage.env, HUZA_MASTER_KEY: Buffer.alloc(32, 6).toString('base64') } : storage.env;
      const bad = join(tmpdir(), `huza-bad-populations-${process.pid}-${kind}.csv`);
      try {
        const seeded = await huzaCommand(['seed', '--patients', '0'], env);
        assert.equal(seeded.code, 0, seeded.stderr);
        writeFileSync(bad, ['district,population,year', 'Musanze,-5,2024', 'Atlantis,100000,2024', 'Huye,381900,2024'].join('\n'));
        const refused = await huzaCommand(['populations', 'import', bad], env);
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stdout, /error {3}row 2: population '-5' is not a whole number of people above 0/);
        assert.match(refused.stdout, /error {3}row 3: 'Atlantis' is not one of Rwanda's 30 districts/);
        assert.match(refused.stdout, /2 error\(s\) in 3 rows read: nothing was imported\./);

        const dry = await huzaCommand(['populations', 'import', sampleCsv, '--dry-run'], env);
        assert.equal(dry.code, 0, dry.stdout + dry.stderr);
        assert.match(dry.stdout, /would set row 2: Musanze 2024: 480,100 people \(Illustrative figure .*\) on Location\/rw-district-musanze/);
        assert.match(dry.stdout, /Dry run: would set 3 population figure\(s\); nothing was stored\./);

        const done = await huzaCommand(['populations', 'import', sampleCsv], env);
        assert.equal(done.code, 0, done.stdout + done.stderr);
        assert.match(done.stdout, /set row 4: Bugesera 2024: 560,000 people .* on Location\/rw-district-bugesera/);
        assert.match(done.stdout, /Imported 3 population figure\(s\)/);
      } finally {
        await storage.cleanup();
      }
    });
  });
}
