import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { examplesPackageDir } from '../definitions/examples-package.ts';
import { createClient, freePort, processStorage, runHuza, tokenFor, type HuzaProcess, type ProcessStorage } from '../../test-support/huza-process.ts';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { identityDomain } from '../../registry/client/identifier-authorities.ts';

/**
 * Every example resource of the official R4 package goes in through PUT [type]/[id] over HTTP and must
 * come back equal; the ones the validator rightly refuses (src/fhir/validation/refused-examples.json)
 * must be refused with 400 and leave nothing behind. The example transaction and batch Bundles are
 * then POSTed to the base.
 *
 * Each database gets its own `huza start` process and both run at once: validating the package's
 * large definition Bundles is CPU work, and two processes use two cores.
 */

type Json = any;

const definitional = [
  'StructureDefinition', 'SearchParameter', 'ValueSet', 'CodeSystem', 'ConceptMap', 'OperationDefinition',
  'CapabilityStatement', 'ImplementationGuide', 'CompartmentDefinition', 'NamingSystem', 'StructureMap',
];
const exampleFiles = readdirSync(examplesPackageDir)
  .filter((f) => f.endsWith('.json') && f !== 'package.json' && f !== 'ig-r4.json')
  .filter((f) => !definitional.some((type) => f.startsWith(`${type}-`)))
  // Largest first, so that the slow ones do not trail at the end.
  .map((f) => ({ file: f, size: statSync(`${examplesPackageDir}/${f}`).size }))
  .sort((a, b) => b.size - a.size)
  .map((f) => f.file);

const refusedFile = new URL('../validation/refused-examples.json', import.meta.url);
const refused = new Map<string, string>(
  (JSON.parse(readFileSync(refusedFile, 'utf8')) as { file: string; reason: string }[]).map((r) => [r.file, r.reason]),
);

/**
 * Refused by the platform's rules rather than by the validator: the audit trail is append-only
 * through the API (403), and the client registry takes no identifier without its assigning
 * authority (400).
 */
const refusedByPolicy = new Map<string, number>([
  ...readdirSync(examplesPackageDir).filter((f) => f.startsWith('AuditEvent-')).map((f) => [f, 403] as [string, number]),
  ['Patient-ihe-pcd.json', 400],
]);

/** The identity domains the example Patients use, registered as an exchange administrator would (not person-unique: they are fictional). */
const exampleIdentityDomains = [...new Set(exampleFiles.filter((f) => f.startsWith('Patient-'))
  .flatMap((f) => ((JSON.parse(readFileSync(`${examplesPackageDir}/${f}`, 'utf8')) as Json).identifier ?? []).map((i: Json) => i.system as string | undefined))
  .filter((x): x is string => !!x))].sort();

const raw = (file: string) => readFileSync(`${examplesPackageDir}/${file}`, 'utf8');

/** The example as stored, minus what the server rightly sets itself (meta.versionId, meta.lastUpdated). */
function comparable(resource: Json): Json {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta ?? {};
  return Object.keys(otherMeta).length > 0 ? { ...rest, meta: otherMeta } : rest;
}

/** The path of the first difference between two JSON values, for a readable failure. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

async function inParallel<T>(items: T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const transactionFiles = exampleFiles.filter((f) => f.startsWith('Bundle-') && ['transaction', 'batch'].includes(JSON.parse(raw(f)).type)).sort();

describe('official R4 examples', { concurrency: true }, () => {
  for (const kind of testDatabaseKinds) {
    describe(kind.name, { concurrency: 1 }, () => {
      let storage: ProcessStorage;
      let huza: HuzaProcess;
      let authorization = '';
      const fhir = async (path: string, init: { method?: string; body?: string } = {}) => {
        const response = await fetch(`${huza.fhirBase}/${path}`, {
          method: init.method ?? 'GET',
          headers: { accept: 'application/fhir+json', authorization, ...(init.body !== undefined ? { 'content-type': 'application/fhir+json' } : {}) },
          body: init.body,
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) as Json : undefined };
      };

      before(async () => {
        storage = await processStorage(kind.name);
        const env = { ...storage.env, PORT: String(await freePort()), LOG_LEVEL: 'warn', HUZA_BODY_LIMIT: String(64 * 1024 * 1024), HUZA_MASTER_KEY: Buffer.alloc(32, 5).toString('base64') };
        const client = await createClient(env);
        const started = runHuza(['start'], env);
        huza = started;
        await started.ready;
        authorization = `Bearer ${await tokenFor(huza.fhirBase.replace(/\/fhir$/, ''), client)}`;
        for (const system of exampleIdentityDomains) {
          const res = await fhir('NamingSystem', { method: 'POST', body: JSON.stringify(identityDomain(system, `Example domain ${system}`, { personUnique: false })) });
          assert.equal(res.status, 201, JSON.stringify(res.body));
        }
      });
      after(async () => {
        huza?.child.kill('SIGTERM');
        await huza?.exited;
        await storage?.cleanup();
      });

      test(`every example resource: PUT, read back, compare (${exampleFiles.length} files)`, async (t) => {
        assert.ok(exampleFiles.length > 700, `only ${exampleFiles.length} example files found`);
        for (const file of refused.keys()) assert.ok(exampleFiles.includes(file), `${file} is listed as refused but is not an example file`);
        const started = performance.now();
        const failures: string[] = [];
        let loaded = 0;
        let equal = 0;
        let refusedOk = 0;
        let policyRefusals = 0;
        await inParallel(exampleFiles, 6, async (file) => {
          const text = raw(file);
          const original = JSON.parse(text) as Json;
          const url = `${original.resourceType}/${original.id}`;
          const put = await fhir(url, { method: 'PUT', body: text });
          if (refusedByPolicy.has(file)) {
            if (put.status !== refusedByPolicy.get(file) || put.body?.resourceType !== 'OperationOutcome') failures.push(`${file}: expected ${refusedByPolicy.get(file)}, got ${put.status}`);
            else if ((await fhir(url)).status !== 404) failures.push(`${file}: refused, yet ${url} was stored`);
            else policyRefusals++;
            return;
          }
          if (refused.has(file)) {
            if (put.status !== 400 || put.body?.resourceType !== 'OperationOutcome' || !put.body.issue.some((i: Json) => i.severity === 'error')) {
              failures.push(`${file}: expected refusal (${refused.get(file)}), got ${put.status}`);
              return;
            }
            const read = await fhir(url);
            if (read.status !== 404) failures.push(`${file}: refused, yet reading ${url} gives ${read.status}`);
            else refusedOk++;
            return;
          }
          if (put.status !== 201) {
            failures.push(`${file}: PUT ${url} → ${put.status} ${JSON.stringify(put.body?.issue?.slice(0, 2))?.slice(0, 300)}`);
            return;
          }
          loaded++;
          const read = await fhir(url);
          if (read.status !== 200) {
            failures.push(`${file}: read ${url} → ${read.status}`);
            return;
          }
          if (read.body.meta?.versionId !== '1') failures.push(`${file}: versionId ${read.body.meta?.versionId}`);
          const difference = firstDifference(comparable(read.body), comparable(original));
          if (difference) failures.push(`${file}: read back differs at ${difference}`);
          else equal++;
        });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        t.diagnostic(`${kind.name}: ${exampleFiles.length} files, ${loaded} loaded, ${equal} read back equal, ${refusedOk}/${refused.size} refused as expected by the validator, ${policyRefusals}/${refusedByPolicy.size} by policy, ${seconds} s`);
        assert.deepEqual(failures, []);
        assert.equal(loaded, exampleFiles.length - refused.size - refusedByPolicy.size);
        assert.equal(policyRefusals, refusedByPolicy.size);
        assert.equal(equal, loaded);
        assert.equal(refusedOk, refused.size);
        // Every type came in: a type-level search of each finds its examples.
        // (The client registry keeps a golden record per person beside them: those are tagged and left out.)
        const patients = await fhir('Patient?_summary=count&_tag:not=https://huza.rw/fhir/CodeSystem/client-registry|golden');
        assert.equal(patients.body.total, exampleFiles.filter((f) => f.startsWith('Patient-') && !refusedByPolicy.has(f)).length);
      });

      test(`the example transaction and batch Bundles (${transactionFiles.length}) POSTed to the base`, async (t) => {
        const checks: Record<string, (res: { status: number; body: Json }, bundle: Json) => Promise<string>> = {
          // An illustration of every kind of entry, not a runnable transaction: it POSTs to ValueSet/$lookup (no such
          // operation; $lookup belongs to CodeSystem) and updates Patient/123a with If-Match W/"2" though no such
          // patient exists. All or nothing: it must be refused whole, naming the entry, and change nothing.
          'Bundle-bundle-transaction.json': async (res) => {
            assert.ok(res.status >= 400 && res.status < 500, String(res.status));
            assert.equal(res.body.resourceType, 'OperationOutcome');
            assert.match(JSON.stringify(res.body), /Bundle\.entry\[\d+\]/);
            assert.equal((await fhir('Patient/123')).status, 404, 'nothing of the refused transaction was stored');
            assert.equal((await fhir('Patient?identifier=http:/example.org/fhir/ids|234234&_summary=count')).body.total, 0);
            return `refused ${res.status}: ${res.body.issue[0].diagnostics}`;
          },
          // 22 POSTs tied together by urn:uuid references.
          'Bundle-hla-1.json': async (res, bundle) => {
            assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
            assert.equal(res.body.type, 'transaction-response');
            assert.equal(res.body.entry.length, bundle.entry.length);
            for (const e of res.body.entry) {
              assert.equal(e.response.status, '201 Created');
              assert.match(e.response.location, /^[A-Za-z]+\/[A-Za-z0-9\-.]+\/_history\/1$/);
              const stored = await fhir(e.response.location.replace(/\/_history\/.*/, ''));
              assert.equal(stored.status, 200);
              assert.ok(!JSON.stringify(stored.body).includes('"reference":"urn:uuid:'), `${e.response.location} still refers to a urn:uuid`);
            }
            const report = res.body.entry[0].resource;
            for (const r of report.result) assert.equal((await fhir(r.reference)).status, 200, r.reference);
            return `${res.body.entry.length} × 201, urn:uuid references rewritten`;
          },
          // request.url is the canonical URL on another server (http://hl7.org/fhir/us/sdc/...), not a URL relative
          // to this server's base as Bundle.entry.request.url requires: refused, naming the entry.
          'Bundle-ussg-fht.json': async (res) => {
            assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 500));
            assert.match(JSON.stringify(res.body), /Bundle\.entry\[0\]\.request\.url/);
            assert.equal((await fhir('Questionnaire/54127-6/_history')).status, 404);
            return `refused 400: ${res.body.issue[0].diagnostics}`;
          },
          // A document submission (its If-None-Exist is written "Patient?identifier=…", which names the same search).
          'Bundle-xds.json': async (res, bundle) => {
            // Its Patient's identifier names no assigning authority: the client registry refuses it, and with it
            // the whole transaction, naming the entry.
            assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 500));
            assert.match(res.body.issue[0].expression[0], /^Bundle\.entry\[1\]\.resource\.identifier\[0\]$/);
            const master = bundle.entry[0].resource.masterIdentifier;
            assert.equal((await fhir(`DocumentReference?identifier=${encodeURIComponent(`${master.system}|${master.value}`)}&_summary=count`)).body.total, 0, 'nothing of the refused transaction was stored');
            return `refused 400: ${res.body.issue[0].diagnostics}`;
          },
          // _list is an R4 search parameter without a FHIRPath expression, which the engine does not offer, and
          // MedicationStatement has no 'notgiven' parameter in R4: those entries fail alone (400), the read succeeds.
          'Bundle-bundle-request-medsallergies.json': async (res, bundle) => {
            assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
            assert.equal(res.body.type, 'batch-response');
            assert.equal(res.body.entry.length, bundle.entry.length);
            const statuses = res.body.entry.map((e: Json) => e.response.status.split(' ')[0]);
            assert.deepEqual(statuses, ['200', '400', '400', '400', '400']);
            assert.equal(res.body.entry[0].resource.id, 'example');
            for (const e of res.body.entry.slice(1)) assert.equal(e.response.outcome.resourceType, 'OperationOutcome');
            return `batch-response ${statuses.join(' ')}`;
          },
          'Bundle-bundle-request-simplesummary.json': async (res, bundle) => {
            assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
            assert.equal(res.body.type, 'batch-response');
            const statuses = res.body.entry.map((e: Json) => e.response.status);
            assert.deepEqual(statuses, bundle.entry.map(() => '200 OK'));
            assert.equal(res.body.entry[0].resource.id, 'example');
            for (const e of res.body.entry.slice(1)) assert.equal(e.resource.type, 'searchset');
            return `batch-response ${statuses.length} × 200`;
          },
        };
        assert.deepEqual(transactionFiles, Object.keys(checks).sort(), 'every example transaction/batch Bundle has its check');
        for (const file of transactionFiles) {
          const text = raw(file);
          const res = await fhir('', { method: 'POST', body: text });
          t.diagnostic(`${kind.name}: ${file} (${JSON.parse(text).type}): ${await checks[file](res, JSON.parse(text))}`);
        }
      });
    });
  }
});
