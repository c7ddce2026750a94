import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { icd10cmFormat, icd10cmUrl } from './icd10cm-loader.ts';
import { icd11Format, icd11Url } from './icd11-loader.ts';
import { isLoincCode, loincFormat, loincUrl } from './loinc-loader.ts';
import { loadRelease, ReleaseHeaderError, type LoadProgress } from './release-loader.ts';

type Json = any;

const sample = (name: string) => fileURLToPath(new URL(`./samples/${name}`, import.meta.url));
const loincFile = sample('LoincTableCore.csv');
const icd10cmFile = sample('icd10cm_order_2025.txt');
const icd11File = sample('SimpleTabulation-ICD-11-MMS-en.txt');
const icd11CsvFile = sample('simpletabulation.csv');

const value = (p: Json, name: string): unknown => {
  const x = p.parameter?.find((y: Json) => y.name === name);
  return x && x[Object.keys(x).find((k) => k.startsWith('value')) as string];
};

test('LOINC check digits', () => {
  for (const code of ['2345-7', '718-7', '8480-6', '8462-4', '29463-7']) assert.ok(isLoincCode(code), code);
  for (const code of ['2345-8', '718', 'A-1', '12345678-0']) assert.ok(!isLoincCode(code), code);
});

for (const kind of testDatabaseKinds) {
  describe(`terminology release loaders on ${kind.name}`, () => {
    let s: TestServer;
    const target = () => ({ db: s.db, repo: s.engine.repo });
    const conceptRows = async (system: string) =>
      (await s.db.query<{ version: string; n: number }>('SELECT version, count(*)::int AS n FROM terminology_concept WHERE system = $1 GROUP BY version', [system])).rows;
    const lookup = async (system: string, code: string) => {
      const res = await s.fhir(`CodeSystem/$lookup?system=${encodeURIComponent(system)}&code=${encodeURIComponent(code)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const expand = async (system: string, id: string, filter: string): Promise<string[]> => {
      const put = await s.fhir(`ValueSet/${id}`, { method: 'PUT', body: { resourceType: 'ValueSet', id, url: `https://example.rw/fhir/ValueSet/${id}`, status: 'active', compose: { include: [{ system }] } } });
      assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
      const res = await s.fhir(`ValueSet/${id}/$expand?filter=${encodeURIComponent(filter)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.expansion.contains ?? []).map((c: Json) => c.code);
    };
    const subsumes = async (system: string, a: string, b: string) => {
      const res = await s.fhir(`CodeSystem/$subsumes?system=${encodeURIComponent(system)}&codeA=${encodeURIComponent(a)}&codeB=${encodeURIComponent(b)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return value(res.body, 'outcome');
    };

    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });

    test('a file in the wrong format is refused before anything is stored', async () => {
      await assert.rejects(loadRelease(target(), loincFormat, icd10cmFile, { version: '2.78' }), (e: Error) => e instanceof ReleaseHeaderError && /lacks LOINC_NUM/.test(e.message));
      await assert.rejects(loadRelease(target(), icd10cmFormat, loincFile, { version: '2025' }), (e: Error) => e instanceof ReleaseHeaderError && /not an ICD-10-CM order file/.test(e.message));
      await assert.rejects(loadRelease(target(), icd11Format, loincFile, { version: '2025-01' }), (e: Error) => e instanceof ReleaseHeaderError && /Code, Title and ClassKind/.test(e.message));
      assert.equal((await s.db.query('SELECT 1 FROM terminology_concept')).rows.length, 0);
      assert.equal((await s.fhir('CodeSystem/loinc')).status, 404);
    });

    test('LOINC: loaded, bad rows listed by line, served by $lookup and $expand', async () => {
      const progress: LoadProgress[] = [];
      const report = await loadRelease(target(), loincFormat, loincFile, { version: '2.77', onProgress: (p) => progress.push(p), batch: 2 });
      assert.equal(report.concepts, 6);
      assert.deepEqual(report.problems.map((p) => p.line), [5, 9, 10]);
      assert.match(report.problems[0].problem, /2345-8.*check digit/);
      assert.match(report.problems[2].problem, /STATUS 'WHATEVER'/);
      assert.ok(progress.length > 0 && progress.at(-1)?.bytes === progress.at(-1)?.totalBytes);
      const header = (await s.fhir('CodeSystem/loinc')).body;
      assert.equal(header.content, 'not-present');
      assert.equal(header.count, 6);
      const glucose = await lookup(loincUrl, '2345-7');
      assert.equal(value(glucose, 'display'), 'Glucose [Mass/volume] in Serum or Plasma');
      assert.equal(value(glucose, 'version'), '2.77');
      assert.ok(JSON.stringify(glucose).includes('Ser/Plas'));
      const retired = await lookup(loincUrl, '12345-5');
      assert.ok(JSON.stringify(retired).includes('"valueBoolean":true'), JSON.stringify(retired));
      assert.deepEqual(await expand(loincUrl, 'loinc-all', 'blood pressure'), ['8480-6', '8462-4']);
      assert.deepEqual(await expand(loincUrl, 'loinc-all', 'glucose'), ['2345-7']);
      assert.equal(await subsumes(loincUrl, '8480-6', '8462-4'), 'not-subsumed');
      // A refused file leaves the loaded release as it was.
      await assert.rejects(loadRelease(target(), loincFormat, icd11File, { version: '2.78' }), ReleaseHeaderError);
      assert.deepEqual(await conceptRows(loincUrl), [{ version: '2.77', n: 6 }]);
    });

    test('LOINC: the same version again changes nothing; a new version replaces the old', async () => {
      const again = await loadRelease(target(), loincFormat, loincFile, { version: '2.77' });
      assert.equal(again.concepts, 6);
      assert.deepEqual(await conceptRows(loincUrl), [{ version: '2.77', n: 6 }]);
      const search = await s.fhir(`CodeSystem?url=${encodeURIComponent(loincUrl)}`);
      assert.equal(search.body.total ?? search.body.entry.length, 1);
      assert.equal(value(await lookup(loincUrl, '718-7'), 'display'), 'Hemoglobin [Mass/volume] in Blood');
      await loadRelease(target(), loincFormat, loincFile, { version: '2.78' });
      assert.deepEqual(await conceptRows(loincUrl), [{ version: '2.78', n: 6 }]);
      // Requests arriving together right after a load share one read of the release.
      const together = await Promise.all(['718-7', '2345-7', '8480-6', '8462-4'].map((code) => lookup(loincUrl, code)));
      assert.deepEqual(together.map((p) => value(p, 'version')), ['2.78', '2.78', '2.78', '2.78']);
    });

    test('ICD-10-CM order file: dotted codes, hierarchy from prefixes, headings not selectable', async () => {
      const report = await loadRelease(target(), icd10cmFormat, icd10cmFile);
      assert.equal(report.version, '2025');
      assert.equal(report.concepts, 8);
      assert.deepEqual(report.problems.map((p) => p.line), [7, 9]);
      assert.match(report.problems[1].problem, /C12\.3 comes before any code it belongs under/);
      const cholera = await lookup(icd10cmUrl, 'A00.0');
      assert.equal(value(cholera, 'display'), 'Cholera due to Vibrio cholerae 01, biovar cholerae');
      assert.equal(await subsumes(icd10cmUrl, 'A00', 'A00.0'), 'subsumes');
      assert.equal(await subsumes(icd10cmUrl, 'B50.9', 'B50'), 'subsumed-by');
      assert.equal(await subsumes(icd10cmUrl, 'A00', 'B50.0'), 'not-subsumed');
      const heading = await lookup(icd10cmUrl, 'B50');
      assert.ok(JSON.stringify(heading).includes('"notSelectable"'), JSON.stringify(heading));
      assert.deepEqual(await expand(icd10cmUrl, 'icd10cm-all', 'falciparum cerebral'), ['B50.0']);
      const validate = await s.fhir(`CodeSystem/$validate-code?url=${encodeURIComponent(icd10cmUrl)}&code=I10`);
      assert.equal(value(validate.body, 'result'), true, JSON.stringify(validate.body));
    });

    test('ICD-11 MMS simple tabulation: hierarchy from indentation, chapters and blocks as groups', async () => {
      const report = await loadRelease(target(), icd11Format, icd11File, { version: '2025-01' });
      assert.equal(report.concepts, 11);
      assert.deepEqual(report.problems.map((p) => p.line), [8, 9]);
      assert.match(report.problems[1].problem, /ClassKind 'modifier'/);
      assert.equal(value(await lookup(icd11Url, '1A00'), 'display'), 'Cholera');
      assert.equal(await subsumes(icd11Url, '01', '1A03.0'), 'subsumes');
      assert.equal(await subsumes(icd11Url, 'BlockL1-1F4', '1F40.0'), 'subsumes');
      assert.equal(await subsumes(icd11Url, 'BlockL2-1A0', '1F40'), 'not-subsumed');
      assert.equal(await subsumes(icd11Url, '11', 'BA00'), 'subsumes');
      const block = await lookup(icd11Url, 'BlockL1-1A0');
      assert.ok(JSON.stringify(block).includes('"notSelectable"'), JSON.stringify(block));
      assert.deepEqual(await expand(icd11Url, 'icd11-all', 'cholera'), ['1A00']);
    });

    test('ICD-11: the spreadsheet saved as CSV reads the same way (a new version replaces the tab-separated one)', async () => {
      const report = await loadRelease(target(), icd11Format, icd11CsvFile, { version: '2025-01-csv' });
      assert.equal(report.concepts, 4);
      assert.deepEqual(report.problems, []);
      assert.deepEqual(await conceptRows(icd11Url), [{ version: '2025-01-csv', n: 4 }]);
      const vibrio = await lookup(icd11Url, '1A01');
      assert.equal(value(vibrio, 'display'), 'Intestinal infection due to other Vibrio, synthetic "quoted" note');
      assert.ok(JSON.stringify(vibrio).includes('http://id.who.int/icd/release/11/mms/257068234'));
      assert.equal(await subsumes(icd11Url, '01', '1A01'), 'subsumes');
    });
  });
}
