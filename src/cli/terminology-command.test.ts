import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { processStorage, huzaCommand } from '../test-support/huza-process.ts';
import { removeServerLock, writeServerLock } from './server-lock.ts';

const sample = (name: string) => fileURLToPath(new URL(`../terminology/loaders/samples/${name}`, import.meta.url));

const huza = (args: string[], env: Record<string, string>) => huzaCommand(args, env);

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza terminology load on ${kind}`, () => {
    test('loads each format, lists bad rows by line, refuses a file of another format', async () => {
      const storage = await processStorage(kind);
      const env = kind === 'postgres' ? { ...storage.env, HUZA_MASTER_KEY: Buffer.alloc(32, 5).toString('base64') } : storage.env;
      try {
        const loinc = await huza(['terminology', 'load', '--format', 'loinc', sample('LoincTableCore.csv'), '--version', '2.77'], env);
        assert.equal(loinc.code, 1, loinc.stderr + loinc.stdout);
        assert.match(loinc.stdout, /Loaded 6 concepts of http:\/\/loinc\.org version 2\.77 \(CodeSystem\/loinc\)/);
        assert.match(loinc.stdout, /3 rows were not loaded:\n {2}line 5: LOINC_NUM '2345-8' is not a LOINC code/);

        const icd10 = await huza(['terminology', 'load', '--format', 'icd10cm', sample('icd10cm_order_2025.txt')], env);
        assert.match(icd10.stdout, /Loaded 8 concepts of http:\/\/hl7\.org\/fhir\/sid\/icd-10-cm version 2025/);

        const claml = await huza(['terminology', 'load', '--format', 'icd10', sample('icdClaML2019ens.xml')], env);
        assert.equal(claml.code, 1, claml.stderr + claml.stdout);
        assert.match(claml.stdout, /Loaded 40 concepts of http:\/\/hl7\.org\/fhir\/sid\/icd-10 version 2019 \(CodeSystem\/icd-10\)/);
        assert.match(claml.stdout, /3 rows were not loaded:\n {2}line 161: E13 is modified by S99E13_4/);
        const broken = await huza(['terminology', 'load', '--format', 'icd10', sample('icdClaML-malformed.xml')], env);
        assert.equal(broken.code, 1);
        assert.match(broken.stderr, /icdClaML-malformed\.xml refused, nothing stored: malformed XML at line 18, column \d+: unexpected close tag/);

        const wrong = await huza(['terminology', 'load', '--format', 'icd11', sample('LoincTableCore.csv'), '--version', '2025-01'], env);
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /refused, nothing stored: not an ICD-11 MMS simple tabulation/);

        const noVersion = await huza(['terminology', 'load', '--format', 'icd11', sample('SimpleTabulation-ICD-11-MMS-en.txt')], env);
        assert.equal(noVersion.code, 1);
        assert.match(noVersion.stderr, /Give the release version/);

        if (kind === 'pglite') {
          // The embedded database belongs to the server that has it open.
          writeServerLock(env.HUZA_DATA_DIR, 'http://127.0.0.1:1');
          try {
            const busy = await huza(['terminology', 'load', '--format', 'loinc', sample('LoincTableCore.csv'), '--version', '2.77'], env);
            assert.equal(busy.code, 1);
            assert.match(busy.stderr, /has .* open; stop it first/);
          } finally {
            removeServerLock(env.HUZA_DATA_DIR);
          }
        }
      } finally {
        await storage.cleanup();
      }
    });
  });
}
