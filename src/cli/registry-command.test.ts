import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticPatients } from '../registry/client/synthetic-patients.ts';
import { huzaCommand, processStorage } from '../test-support/huza-process.ts';

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza registry load on ${kind}`, () => {
    test('loads an NDJSON file with matching, lists refused lines, loads nothing twice', async () => {
      const storage = await processStorage(kind);
      const env = kind === 'postgres' ? { ...storage.env, HUZA_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') } : storage.env;
      const dir = await mkdtemp(join(tmpdir(), 'huza-registry-load-'));
      try {
        const { patients } = syntheticPatients(40, { seed: 5 });
        const lines = patients.map((p) => JSON.stringify(p));
        // Line 3: not JSON; line 6: not a Patient; the rest as facilities would send them.
        lines.splice(2, 0, '{"resourceType": "Patient", ');
        lines.splice(5, 0, JSON.stringify({ resourceType: 'Observation', id: 'o1' }));
        const file = join(dir, 'patients.ndjson');
        await writeFile(file, lines.join('\n') + '\n');

        const first = await huzaCommand(['registry', 'load', file, '--batch', '16'], env);
        assert.equal(first.code, 0, first.stderr + first.stdout);
        const summary = /^(\d+) rows in [\d.]+ s \(\d+ records\/s\): (\d+) loaded \((\d+) linked by identifier, (\d+) by matching, (\d+) new people\), 0 unchanged, 0 updated, \d+ potential matches to review, (\d+) refused/m.exec(first.stdout);
        assert.ok(summary, first.stdout);
        const [rows, loaded, byId, byMatch, fresh, refused] = summary.slice(1).map(Number);
        assert.equal(rows, lines.length);
        assert.equal(loaded + refused, rows);
        assert.equal(byId + byMatch + fresh, loaded);
        assert.ok(byId + byMatch > 0, 'some records of the same people are linked');
        const errors = (await readFile(`${file}.errors.ndjson`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { row: number; message: string });
        assert.equal(errors.length, refused);
        assert.match(errors.find((e) => e.row === 3)?.message ?? '', /not JSON/);
        assert.match(errors.find((e) => e.row === 6)?.message ?? '', /must be a FHIR Patient/);

        const again = await huzaCommand(['registry', 'load', file], env);
        assert.equal(again.code, 0, again.stderr + again.stdout);
        assert.match(again.stdout, new RegExp(`: 0 loaded \\(0 linked by identifier, 0 by matching, 0 new people\\), ${loaded} unchanged, 0 updated`));
      } finally {
        await rm(dir, { recursive: true, force: true });
        await storage.cleanup();
      }
    });
  });
}
