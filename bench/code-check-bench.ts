/**
 * What the write-time code checks (src/terminology/code-validation.ts) add to a create: two FHIR engines over the
 * same database, one checking codes through the terminology service and one not (required bindings then checked
 * against the R4 package only, as before), each creating --count Observations and --count Locations through the
 * repository (validation, encryption, indexing, insert), interleaved write by write in the same run.
 *
 * Observation: status (required binding), a CHW report code (Rwandan code system, stored), a code of a loaded
 * release (10,000 synthetic rows under a not-present header, like LOINC; 80% of writes use one of 50 common codes,
 * 20% any of the 10,000, so the release lookup mostly hits its cache once warm), a category and a UCUM quantity. Location: status, mode, telecom and
 * address (required bindings), a Rwandan facility type and a v3 RoleCode type (extensible binding).
 * Each figure is the median over --reps repetitions; "check alone" times validateCodes() on the same resources, in
 * the steady state and in the 5 s after a CodeSystem write (when every check looks the store up).
 *
 *   node bench/code-check-bench.ts [--db pglite|postgres|both] [--count 2000] [--reps 3] [--json bench/results/code-check.json]
 *
 * Uses its own databases (PGlite in memory; a fresh PostgreSQL database, dropped afterwards).
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Database, Queryable } from '../src/db/database.ts';
import { createFhirEngine, type FhirEngine } from '../src/fhir/fhir-engine.ts';
import type { FhirResource } from '../src/fhir/repository/resource-types.ts';
import { openContentEncryption } from '../src/security/encryption/content-cipher.ts';
import { mulberry32 } from '../src/seed/prng.ts';
import { loadShippedCodeSystems } from '../src/terminology/shipped-code-systems.ts';
import { testDatabaseKinds } from '../src/test-support/test-databases.ts';
import { testMasterKeySource } from '../src/test-support/test-server.ts';
import { medianOf, summarize, type RunStats } from './measure.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    count: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '3' },
    json: { type: 'string', default: 'bench/results/code-check.json' },
  },
});
const count = Number(args.count);
const reps = Number(args.reps);
const kinds = testDatabaseKinds.filter((k) => args.db === 'both' || k.name === args.db);

const RELEASE = 'http://loinc.org';
const RELEASE_VERSION = 'bench';
const releaseSize = 10_000;
const releaseCode = (i: number) => `${10_000 + i}-${i % 10}`;
const chwReports = ['anc-pregnancy-identified', 'anc-referred-first-visit', 'nut-muac-green', 'mal-rdt-positive', 'imm-defaulter-traced'];
const facilityTypes = ['health-centre', 'health-post', 'district-hospital', 'referral-hospital', 'private-clinic'];
const roleCodes = ['HOSP', 'CHR', 'PEDU', 'ER', 'OF'];

function observation(random: () => number, i: number): FhirResource {
  return {
    resourceType: 'Observation', status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] }],
    code: { coding: [
      { system: 'https://huza.rw/fhir/CodeSystem/chw-report', code: chwReports[i % chwReports.length] },
      { system: RELEASE, code: releaseCode(random() < 0.8 ? Math.floor(random() * 50) : Math.floor(random() * releaseSize)) },
    ] },
    subject: { reference: `Patient/p${i % 500}` },
    effectiveDateTime: '2026-11-30T10:00:00+02:00',
    valueQuantity: { value: Math.round(random() * 100), unit: 'count', system: 'http://unitsofmeasure.org', code: '1' },
  };
}

function location(random: () => number, i: number): FhirResource {
  return {
    resourceType: 'Location', status: 'active', mode: 'instance', name: `Bench facility ${i}`,
    type: [
      { coding: [{ system: 'https://huza.rw/fhir/CodeSystem/facility-type', code: facilityTypes[i % facilityTypes.length] }] },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: roleCodes[Math.floor(random() * roleCodes.length)] }] },
    ],
    telecom: [{ system: 'phone', value: `+2507880${String(i).padStart(5, '0')}`, use: 'work' }],
    address: { use: 'work', district: 'Musanze', country: 'RW' },
  };
}

const makers = { Observation: observation, Location: location };
type Kind = keyof typeof makers;

/** Counts the statements a wrapped database runs (transactions included). */
function counting(db: Database): { db: Database; statements: () => number } {
  let n = 0;
  const wrap = (q: Queryable): Queryable => ({ query: ((sql: string, params?: Parameters<Queryable['query']>[1]) => { n++; return q.query(sql, params); }) as Queryable['query'] });
  const wrapped: Database = { kind: db.kind, close: () => db.close(), query: wrap(db).query, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
  return { db: wrapped, statements: () => n };
}

interface Figures { p50: number; p95: number; mean: number }

/**
 * Creates `count` resources through each engine, interleaved write by write (who goes first alternates), so both
 * see the same database size and the same load from the rest of the machine.
 */
async function createPairs(checked: FhirEngine, unchecked: FhirEngine, kind: Kind, seed: number): Promise<{ with: RunStats; without: RunStats }> {
  const random = (() => { const next = mulberry32(seed); return () => next() / 2 ** 32; })();
  const latencies = { with: [] as number[], without: [] as number[] };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const resource = makers[kind](random, i);
    const order: ['with' | 'without', FhirEngine][] = i % 2 === 0 ? [['without', unchecked], ['with', checked]] : [['with', checked], ['without', unchecked]];
    for (const [which, engine] of order) {
      const t = performance.now();
      await engine.repo.create(structuredClone(resource));
      latencies[which].push(performance.now() - t);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { with: summarize(latencies.with, 0, seconds), without: summarize(latencies.without, 0, seconds) };
}

const results: Record<string, Record<Kind, { without: Figures; with: Figures; overheadP50: number; overheadMean: number; checkAlone: Figures; statementsPerCheck: number; firstCheckMs: number; checkAfterEdit: Figures; statementsAfterEdit: number }>> = {};

for (const kind of kinds) {
  const raw = await kind.open();
  try {
    const { db, statements } = counting(raw);
    const { cipher } = await openContentEncryption(db, testMasterKeySource);
    const checked = createFhirEngine(db, { validate: true, maxSnapshotSize: 1000, contentCodec: cipher });
    const unchecked = createFhirEngine(db, { validate: true, checkCodes: false, maxSnapshotSize: 1000, contentCodec: cipher });
    // As a deployment has them: the shipped Rwandan code systems stored, a release loaded.
    await loadShippedCodeSystems(checked.repo);
    for (let start = 0; start < releaseSize; start += 1000) {
      const codes = Array.from({ length: Math.min(1000, releaseSize - start) }, (_, k) => releaseCode(start + k));
      await raw.query(
        `INSERT INTO terminology_concept (system, version, code, seq, parent, concept)
         SELECT $1, $2, c, s, NULL, json_build_object('code', c, 'display', 'Bench term ' || c)::text FROM unnest($3::text[], $4::int[]) AS u(c, s)`,
        [RELEASE, RELEASE_VERSION, codes, codes.map((_, k) => start + k)]);
    }
    await checked.repo.update({ resourceType: 'CodeSystem', id: 'loinc', url: RELEASE, version: RELEASE_VERSION, status: 'active', content: 'not-present', count: releaseSize });
    // Writing code systems makes the checks look the store up on every write for 5 s (see code-validation.ts):
    // measured apart below; the steady state starts after it.
    await sleep(5100);

    results[kind.name] = {} as (typeof results)[string];
    for (const type of Object.keys(makers) as Kind[]) {
      // The first check builds what later ones reuse (expansions of the bound ValueSets, code system indexes).
      const random = (() => { const next = mulberry32(1); return () => next() / 2 ** 32; })();
      const first = performance.now();
      await checked.validateCodes!(checked.repo, makers[type](random, 0));
      const firstCheckMs = performance.now() - first;
      // Warm-up of both engines (validator, caches, the database's own).
      for (let i = 0; i < 100; i++) {
        await checked.repo.create(makers[type](random, i));
        await unchecked.repo.create(makers[type](random, i));
      }
      const withRuns: RunStats[] = [];
      const withoutRuns: RunStats[] = [];
      for (let r = 0; r < reps; r++) {
        const pair = await createPairs(checked, unchecked, type, 100 + r);
        withRuns.push(pair.with);
        withoutRuns.push(pair.without);
      }
      const checkRuns: RunStats[] = [];
      let statementsPerCheck = 0;
      for (let r = 0; r < reps; r++) {
        const rnd = (() => { const next = mulberry32(200 + r); return () => next() / 2 ** 32; })();
        const latencies: number[] = [];
        const before = statements();
        for (let i = 0; i < count; i++) {
          const resource = makers[type](rnd, i);
          const t = performance.now();
          const issues = await checked.validateCodes!(checked.repo, resource);
          latencies.push(performance.now() - t);
          if (issues.some((x) => x.severity === 'error')) throw new Error(`refused: ${JSON.stringify(issues)}`);
        }
        statementsPerCheck = (statements() - before) / count;
        checkRuns.push(summarize(latencies, 0, 1));
      }
      // In the 5 s after a CodeSystem or ValueSet is written through the engine, every check resolves its canonicals
      // with a query (a steward's edit counts from the next write on).
      await checked.repo.update({ resourceType: 'CodeSystem', id: 'bench-edit', url: 'https://bench.huza.rw/CodeSystem/edit', status: 'active', content: 'complete', concept: [{ code: String(Date.now()) }] });
      const afterEdit: number[] = [];
      const editStatements = statements();
      const rnd = (() => { const next = mulberry32(300); return () => next() / 2 ** 32; })();
      for (let i = 0; i < 200; i++) {
        const resource = makers[type](rnd, i);
        const t = performance.now();
        await checked.validateCodes!(checked.repo, resource);
        afterEdit.push(performance.now() - t);
      }
      const statementsAfterEdit = (statements() - editStatements) / 200;
      await sleep(5100);
      const figures = (runs: RunStats[]): Figures => {
        const m = medianOf(runs);
        return { p50: m.p50, p95: m.p95, mean: m.mean };
      };
      const w = figures(withRuns);
      const wo = figures(withoutRuns);
      results[kind.name][type] = {
        without: wo, with: w, overheadP50: w.p50 - wo.p50, overheadMean: w.mean - wo.mean,
        checkAlone: figures(checkRuns), statementsPerCheck, firstCheckMs,
        checkAfterEdit: figures([summarize(afterEdit, 0, 1)]), statementsAfterEdit,
      };
    }
  } finally {
    await raw.close();
  }
}

const fmt = (n: number) => (Math.abs(n) < 0.1 ? n.toFixed(3) : Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1));
const lines = ['| Database | Resource | create p50 ms without / with | create p95 ms without / with | mean ms without / with | added p50 (mean) | check alone p50 / p95 ms | statements per check | first check ms | check p50 / p95 ms in the 5 s after a CodeSystem write (statements) |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
for (const [db, byType] of Object.entries(results)) {
  for (const [type, r] of Object.entries(byType)) {
    lines.push(`| ${db} | ${type} | ${fmt(r.without.p50)} / ${fmt(r.with.p50)} | ${fmt(r.without.p95)} / ${fmt(r.with.p95)} | ${fmt(r.without.mean)} / ${fmt(r.with.mean)} | ${fmt(r.overheadP50)} (${fmt(r.overheadMean)}) | ${fmt(r.checkAlone.p50)} / ${fmt(r.checkAlone.p95)} | ${r.statementsPerCheck.toFixed(2)} | ${fmt(r.firstCheckMs)} | ${fmt(r.checkAfterEdit.p50)} / ${fmt(r.checkAfterEdit.p95)} (${r.statementsAfterEdit.toFixed(2)}) |`);
  }
}
console.log(`${count} creates per engine and resource type, ${reps} reps (medians)\n`);
console.log(lines.join('\n'));
const output = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(), count, reps, results };
mkdirSync(dirname(String(args.json)), { recursive: true });
writeFileSync(String(args.json), `${JSON.stringify(output, null, 2)}\n`);
console.log(`\nwrote ${args.json}`);
process.exit(0);
