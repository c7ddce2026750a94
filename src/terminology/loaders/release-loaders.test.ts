import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { icd10ClamlFormat, icd10Url, modifiedCode } from './icd10-claml-loader.ts';
import { icd10cmFormat, icd10cmUrl } from './icd10cm-loader.ts';
import { icd11Format, icd11Url } from './icd11-loader.ts';
import { isLoincCode, loincFormat, loincUrl } from './loinc-loader.ts';
import { loadRelease, MalformedReleaseError, ReleaseHeaderError, type LoadProgress } from './release-loader.ts';

type Json = any;

const sample = (name: string) => fileURLToPath(new URL(`./samples/${name}`, import.meta.url));
const loincFile = sample('LoincTableCore.csv');
const icd10cmFile = sample('icd10cm_order_2025.txt');
const icd11File = sample('SimpleTabulation-ICD-11-MMS-en.txt');
const icd11CsvFile = sample('simpletabulation.csv');
const clamlFile = sample('icdClaML2019ens.xml');
const malformedClamlFile = sample('icdClaML-malformed.xml');

const value = (p: Json, name: string): unknown => {
  const x = p.parameter?.find((y: Json) => y.name === name);
  return x && x[Object.keys(x).find((k) => k.startsWith('value')) as string];
};

test('ClaML modifier codes join the class they modify', () => {
  assert.equal(modifiedCode('E10', '.0', 'S04E10_4'), 'E10.0');
  assert.equal(modifiedCode('M00.0', '5', 'S13M00_5'), 'M00.05');
  assert.equal(modifiedCode('W00', '3', 'S20W00_4'), 'W00.3');
  assert.equal(modifiedCode('M45', '0', 'S13M40_5'), undefined);
  assert.equal(modifiedCode('E10.1', '.0', 'S04E10_4'), undefined);
});

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
      await assert.rejects(loadRelease(target(), icd10ClamlFormat, loincFile, { version: '2019' }), (e: Error) => e instanceof ReleaseHeaderError && /not a ClaML file .*it begins '"LOINC_NUM"/.test(e.message));
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

    test('WHO ICD-10 ClaML: hierarchy from SuperClass, modifiers spelled out, rubrics as designations and properties', async () => {
      const progress: LoadProgress[] = [];
      const report = await loadRelease(target(), icd10ClamlFormat, clamlFile, { batch: 4, onProgress: (p) => progress.push(p) });
      assert.equal(report.version, '2019', 'from the <Title>');
      assert.equal(report.concepts, 40);
      assert.deepEqual(report.problems.map((p) => p.line), [161, 229, 233]);
      assert.match(report.problems[0].problem, /E13 is modified by S99E13_4, which no <ModifierClass> before it defines/);
      assert.match(report.problems[1].problem, /X99: kind 'section'/);
      assert.match(report.problems[2].problem, /I99 has no preferred rubric/);
      assert.ok(progress.length > 0 && progress.at(-1)?.bytes === progress.at(-1)?.totalBytes);
      const header = (await s.fhir('CodeSystem/icd-10')).body;
      assert.equal(header.url, icd10Url);
      assert.equal(header.content, 'not-present');
      assert.equal(header.count, 40);

      const cerebral = await lookup(icd10Url, 'B50.0');
      assert.equal(value(cerebral, 'display'), 'Plasmodium falciparum malaria with cerebral complications');
      assert.ok(JSON.stringify(cerebral).includes('Cerebral malaria NOS'), JSON.stringify(cerebral));
      assert.equal(await subsumes(icd10Url, 'I', 'A00.0'), 'subsumes');
      assert.equal(await subsumes(icd10Url, 'B50-B54', 'B50.9'), 'subsumes');
      assert.equal(await subsumes(icd10Url, 'A00', 'B50'), 'not-subsumed');
      const chapter = await lookup(icd10Url, 'IV');
      assert.ok(JSON.stringify(chapter).includes('"notSelectable"'), JSON.stringify(chapter));
      // Reference codes (the asterisk G01) stay out of the display; usage is a property.
      const meningitis = await lookup(icd10Url, 'A17.0');
      assert.equal(value(meningitis, 'display'), 'Tuberculous meningitis');
      assert.ok(JSON.stringify(meningitis).includes('"valueCode":"dagger"'), JSON.stringify(meningitis));
      // Fourth characters spelled out from modifier S04E10_4, all of them for E10, only the valid ones for E11.
      const renal = await lookup(icd10Url, 'E10.2');
      assert.equal(value(renal, 'display'), 'Type 1 diabetes mellitus: with renal complications');
      assert.ok(JSON.stringify(renal).includes('"valueCode":"S04E10_4"'), JSON.stringify(renal));
      assert.equal(await subsumes(icd10Url, 'E10-E14', 'E11.9'), 'subsumes');
      const e111 = await s.fhir(`CodeSystem/$validate-code?url=${encodeURIComponent(icd10Url)}&code=E11.1`);
      assert.equal(value(e111.body, 'result'), false);
      // A modifier handed down from I70 to its subcategories, except where excluded.
      assert.equal(value(await lookup(icd10Url, 'I70.21'), 'display'), 'Atherosclerosis of arteries of extremities: with gangrene');
      const i7000 = await s.fhir(`CodeSystem/$validate-code?url=${encodeURIComponent(icd10Url)}&code=I70.00`);
      assert.equal(value(i7000.body, 'result'), false);
      // Definition and exclusion rubrics.
      assert.match(String(value(await lookup(icd10Url, 'F32'), 'definition')), /^A test definition: lowered mood and reduced energy/);
      assert.ok(JSON.stringify(await lookup(icd10Url, 'B54')).includes('malaria due to Plasmodium falciparum (B50.-)'));
      // Inclusion terms are searchable designations.
      assert.deepEqual(await expand(icd10Url, 'icd10-all', 'cholera eltor'), ['A00.1']);
      assert.deepEqual(await expand(icd10Url, 'icd10-all', 'cerebral malaria'), ['B50.0']);
      const validate = await s.fhir(`CodeSystem/$validate-code?url=${encodeURIComponent(icd10Url)}&code=I10&display=${encodeURIComponent('Essential (primary) hypertension')}`);
      assert.equal(value(validate.body, 'result'), true, JSON.stringify(validate.body));
    });

    test('WHO ICD-10 ClaML: malformed or cut-off XML is refused with its line number, nothing of it stored', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'huza-claml-'));
      try {
        await assert.rejects(loadRelease(target(), icd10ClamlFormat, malformedClamlFile, { batch: 1 }),
          (e: Error) => e instanceof MalformedReleaseError && e.line === 18 && /^malformed XML at line 18, column \d+: unexpected close tag/.test(e.message));
        const whole = readFileSync(clamlFile, 'utf8');
        const cut = join(dir, 'icdClaML2019cut.xml');
        writeFileSync(cut, whole.split('\n').slice(0, 120).join('\n'));
        await assert.rejects(loadRelease(target(), icd10ClamlFormat, cut, { batch: 1 }),
          (e: Error) => e instanceof MalformedReleaseError && /malformed XML at line 120, .*unclosed tag/.test(e.message));
        const html = join(dir, 'page.xml');
        writeFileSync(html, '<?xml version="1.0"?>\n<html><body>not a classification</body></html>\n');
        await assert.rejects(loadRelease(target(), icd10ClamlFormat, html, { version: '1' }), /root element is <html>, expected <ClaML>/);
        const other = join(dir, 'icdo3.xml');
        writeFileSync(other, whole.replace(/<Title [^>]*>[^<]*<\/Title>/, '<Title name="ICD-O-3" version="3.2">International Classification of Diseases for Oncology</Title>'));
        await assert.rejects(loadRelease(target(), icd10ClamlFormat, other), /not the WHO ICD-10 in ClaML: the file's <Title> reads 'ICD-O-3/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // The release loaded before is untouched.
      assert.deepEqual(await conceptRows(icd10Url), [{ version: '2019', n: 40 }]);
      assert.equal((await s.fhir('CodeSystem/icd-10')).body.version, '2019');
      assert.equal(value(await lookup(icd10Url, 'A00'), 'display'), 'Cholera');
    });
  });
}
