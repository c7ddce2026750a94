import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { processStorage, huzaCommand } from '../test-support/huza-process.ts';

const sampleCsv = fileURLToPath(new URL('../registry/facility/samples/facilities-musanze-burera.csv', import.meta.url));
const sampleDhis2 = fileURLToPath(new URL('../registry/facility/samples/facilities-dhis2-sample.json', import.meta.url));

const huza = (args: string[], env: Record<string, string>) => huzaCommand(args, env);

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza facilities import on ${kind}`, () => {
    test('dry run, import, refusal of a bad file by row, DHIS2 update, on the demo data', async () => {
      const storage = await processStorage(kind);
      const env = kind === 'postgres' ? { ...storage.env, HUZA_MASTER_KEY: Buffer.alloc(32, 4).toString('base64') } : storage.env;
      try {
        const seeded = await huza(['seed', '--patients', '1'], env);
        assert.equal(seeded.code, 0, seeded.stderr);

        const dry = await huza(['facilities', 'import', sampleCsv, '--dry-run'], env);
        assert.equal(dry.code, 0, dry.stderr + dry.stdout);
        assert.match(dry.stdout, /would create row 2: hc-musanze-gashaki Gashaki Health Centre \(Location\/rw-fac-hc-musanze-gashaki\)/);
        assert.match(dry.stdout, /Dry run: would create 8 and update 0 facilities; nothing was stored\./);

        const imported = await huza(['facilities', 'import', sampleCsv], env);
        assert.equal(imported.code, 0, imported.stderr + imported.stdout);
        assert.match(imported.stdout, /Imported 8 facilities: 8 created, 0 updated/);

        const bad = join(tmpdir(), `huza-bad-facilities-${process.pid}-${kind}.csv`);
        writeFileSync(bad, [
          'code,name,type,district,parent_code,latitude,longitude',
          'hc-new-1,Busogo Health Centre,health-centre,Musanze,,-1.5650,29.5500',
          'hc-new-2,Nowhere Health Centre,health-centre,Atlantis,,-1.56,29.55',
          'hc-new-1,Busogo II Health Centre,health-centre,Musanze,,-1.5660,29.5510',
          'hc-new-3,Swapped Health Centre,health-centre,Musanze,,29.55,-1.56',
          'hc-new-4,Broken,health-centre,Musanze,,-1.5,29.6,extra',
        ].join('\n'));
        const refused = await huza(['facilities', 'import', bad], env);
        assert.equal(refused.code, 1, refused.stdout);
        assert.match(refused.stdout, /error {3}row 3: unknown parent: no district 'Atlantis'/);
        assert.match(refused.stdout, /error {3}row 4: duplicate code 'hc-new-1': already on row 2/);
        assert.match(refused.stdout, /error {3}row 5: invalid coordinates/);
        assert.match(refused.stdout, /error {3}row 6: malformed row/);
        assert.match(refused.stdout, /nothing was imported/);
        const again = await huza(['facilities', 'import', bad, '--dry-run'], env);
        assert.equal(again.code, 1, 'still refused: nothing of the first attempt was stored');
        assert.doesNotMatch(again.stdout, /row 2: code 'hc-new-1' is already registered/);

        const dhis2 = await huza(['facilities', 'import', sampleDhis2, '--update'], env);
        assert.equal(dhis2.code, 0, dhis2.stderr + dhis2.stdout);
        assert.match(dhis2.stdout, /Imported 3 facilities: 0 created, 3 updated/);
      } finally {
        await storage.cleanup();
      }
    });
  });
}
