/**
 * What-if measurements behind the proposals in BENCHMARKS.md: how much a change to the engine could
 * gain, measured on the loaded PostgreSQL dataset with the driver alone (no engine code is changed).
 *
 *   node bench/experiments.ts [--seconds S] [--reps R] [--only date,batch,uuid,http] [--patients N --others M]
 *
 *  date:  search Patient?name=&birthdate= as the engine writes the birthdate condition (COALESCE on both
 *         ends: no bounded index range) against the same condition written as a bounded range (same rows).
 *  batch: a 20-entry transaction as the engine writes it (BEGIN, 20 single-resource statements, COMMIT)
 *         against the same rows written by one multi-row statement (BEGIN, 1 statement, COMMIT).
 *  uuid:  creates replayed with server-assigned ids as random UUIDv4 (today) against time-ordered
 *         UUIDv7, with the WAL each insert writes (full-page images after checkpoints).
 *  http:  the HTTP ceiling of this machine: a bare Fastify route answering a stored Patient's JSON,
 *         driven by the same client process as the benchmark.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createFhirEngine } from '../src/fhir/fhir-engine.ts';
import type { FhirContext } from '../src/fhir/rest/fhir-request.ts';
import { benchPostgresUrl, benchRoot, removeBenchWrites } from './bench-database.ts';
import type { HttpRunReply, HttpRunRequest } from './http-client.ts';
import { defaultSeed, defaultSizes, ensureDataset } from './load-bench-data.ts';
import { medianOf, runClosedLoop, type RunStats } from './measure.ts';
import { pick, prepare, samplePatients } from './scenarios.ts';
import { batchedTransaction, sargableDates, uuidv7 } from './experiments-lib.ts';
import { CapturingDatabase, pgDriver, type BaselineDriver } from './sql-capture.ts';
import { openBenchEngine } from './bench-platform.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    reps: { type: 'string', default: '3' },
    only: { type: 'string', default: 'date,batch,uuid,http' },
    pool: { type: 'string', default: '10' },
    patients: { type: 'string', default: String(defaultSizes.postgres.patients) },
    others: { type: 'string', default: String(defaultSizes.postgres.others) },
  },
});
const only = new Set(args.only.split(','));
const plan = { warmupMs: Number(args.warmup) * 1000, durationMs: Number(args.seconds) * 1000 };
const reps = Number(args.reps);
const poolSize = Number(args.pool);
const seed = defaultSeed;
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const fmt = (s: RunStats) => `${s.throughput.toFixed(1).padStart(7)} ops/s p50 ${s.p50.toFixed(2)} p95 ${s.p95.toFixed(2)} ms${s.errors ? ` ERRORS ${s.errors}: ${s.firstError?.split('\n')[0]}` : ''}`;

async function walNow(driver: BaselineDriver): Promise<{ records: number; fpi: number; bytes: number }> {
  const r = await driver.query('SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal', []);
  const row = r.rows[0];
  return { records: Number(row.wal_records), fpi: Number(row.wal_fpi), bytes: Number(row.wal_bytes) };
}

interface Outcome {
  name: string;
  concurrency: number;
  stats: RunStats & { throughputs: number[] };
  walPerOp?: { records: number; fpi: number; kb: number };
}

async function compare(
  label: string, concurrency: number, variants: { name: string; op: (w: number, seq: number) => Promise<void> }[], driver?: BaselineDriver,
): Promise<Outcome[]> {
  const runs = new Map<string, { stats: RunStats[]; wal: { records: number; fpi: number; bytes: number; ops: number }[] }>();
  for (const v of variants) runs.set(v.name, { stats: [], wal: [] });
  for (let rep = 0; rep < reps; rep++) {
    for (const v of variants) {
      const before = driver ? await walNow(driver) : undefined;
      const stats = await runClosedLoop({ ...plan, concurrency }, async (w, seq) => {
        await v.op(w, seq);
        return true;
      });
      const entry = runs.get(v.name) as { stats: RunStats[]; wal: { records: number; fpi: number; bytes: number; ops: number }[] };
      entry.stats.push(stats);
      if (driver && before) {
        const after = await walNow(driver);
        // Ops of the warm-up wrote WAL too: count them, at the measured rate.
        const ops = stats.throughput * (plan.warmupMs + plan.durationMs) / 1000;
        entry.wal.push({ records: after.records - before.records, fpi: after.fpi - before.fpi, bytes: after.bytes - before.bytes, ops });
      }
      log(`${label} c=${concurrency} ${v.name} rep ${rep + 1}: ${fmt(stats)}`);
    }
  }
  return variants.map((v) => {
    const e = runs.get(v.name) as { stats: RunStats[]; wal: { records: number; fpi: number; bytes: number; ops: number }[] };
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const walPerOp = e.wal.length
      ? { records: med(e.wal.map((w) => w.records / w.ops)), fpi: med(e.wal.map((w) => w.fpi / w.ops)), kb: med(e.wal.map((w) => w.bytes / w.ops / 1024)) }
      : undefined;
    return { name: v.name, concurrency, stats: medianOf(e.stats), ...(walPerOp ? { walPerOp } : {}) };
  });
}

function httpRun(request: HttpRunRequest): Promise<RunStats> {
  const child = fork(new URL('./http-client.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<RunStats>((resolve, reject) => {
    child.once('message', (reply: HttpRunReply) => (reply.type === 'result' ? resolve(reply.stats) : reject(new Error(reply.message))));
    child.send(request);
  }).finally(() => child.disconnect());
}

const spec = { kind: 'postgres' as const, patients: Number(args.patients), others: Number(args.others), seed, poolSize };
const { db } = await ensureDataset(spec, { reload: false, validate: true, concurrency: 16, progress: true, log });
const bench = await openBenchEngine(db, { validate: true });
const capturing = new CapturingDatabase(db);
const engine = createFhirEngine(capturing, { validate: true, maxSnapshotSize: 10_000, contentCodec: bench.cipher });
const ctx: FhirContext = { repo: engine.repo, operations: engine.operations, search: engine.search, baseUrl: 'http://127.0.0.1/fhir' };
const driver = pgDriver(benchPostgresUrl(), poolSize);
const sample = await samplePatients(db, bench.cipher, 2000, seed);
const outcomes: Record<string, Outcome[]> = {};

if (only.has('date')) {
  const search = await prepare('search-name-birthdate', sample, ctx, capturing, seed);
  const rewritten = search.captures.map(sargableDates);
  // The rewrite must find exactly what the engine finds, for every input, before it is timed.
  let checked = 0;
  for (let i = 0; i < search.captures.length; i++) {
    const a = search.captures[i].statements[0];
    const b = rewritten[i].statements[0];
    if (a.sql === b.sql) throw new Error('date: the rewrite did not apply');
    const ra = await driver.query(a.sql, a.params);
    const rb = await driver.query(b.sql, b.params);
    if (JSON.stringify(ra.rows.map((r) => r.id)) !== JSON.stringify(rb.rows.map((r) => r.id))) throw new Error(`date: input ${i} differs`);
    checked++;
  }
  log(`date: rewritten search returns the same ids as the engine's for all ${checked} inputs`);
  outcomes.date = [];
  for (const c of [1, 32]) {
    const a = { n: 0 };
    const b = { n: 0 };
    outcomes.date.push(...await compare('date', c, [
      { name: 'COALESCE(low/high) condition (engine today)', op: (w, s) => pick(search.captures, false, c, a, w, s).replay(driver) },
      { name: 'bounded range on low, same rows', op: (w, s) => pick(rewritten, false, c, b, w, s).replay(driver) },
    ]));
  }
}

if (only.has('batch')) {
  const tx = await prepare('transaction', sample, ctx, capturing, seed);
  const batched = tx.captures.map(batchedTransaction);
  log(`batch: ${tx.captures[0].statementCount} statements per bundle today, ${batched[0].statementCount} batched`);
  outcomes.batch = [];
  for (const c of [1, 32]) {
    const counter = { n: 0 };
    const bcounter = { n: 0 };
    outcomes.batch.push(...await compare('batch', c, [
      { name: '20 statements (engine today)', op: (w, s) => pick(tx.captures, false, c, counter, w, s).replay(driver) },
      { name: '1 multi-row statement', op: (w, s) => pick(batched, false, c, bcounter, w, s).replay(driver) },
    ], driver));
  }
}

if (only.has('uuid')) {
  const create = await prepare('create', sample, ctx, capturing, seed);
  outcomes.uuid = [];
  for (const c of [1, 32]) {
    const a = { n: 0 };
    const b = { n: 0 };
    outcomes.uuid.push(...await compare('uuid', c, [
      { name: 'random UUIDv4 ids (engine today)', op: (w, s) => pick(create.captures, false, c, a, w, s).replay(driver) },
      { name: 'time-ordered UUIDv7 ids', op: (w, s) => pick(create.captures, false, c, b, w, s).replay(driver, uuidv7) },
    ], driver));
  }
}

if (only.has('http')) {
  const body = JSON.stringify(sample[0].resource);
  const app = Fastify({ logger: false });
  app.get('/fhir/Patient/:id', async (_req, reply) => reply.type('application/fhir+json; charset=utf-8').send(body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  outcomes.http = [];
  for (const c of [1, 32]) {
    const runs: RunStats[] = [];
    for (let rep = 0; rep < reps; rep++) {
      runs.push(await httpRun({ type: 'run', port, requests: [{ method: 'GET', path: `/fhir/Patient/${sample[0].id}` }], concurrency: c, ...plan, partition: false, authorization: 'Bearer none' }));
      log(`http c=${c} bare Fastify route rep ${rep + 1}: ${fmt(runs[rep])}`);
    }
    outcomes.http.push({ name: `bare Fastify route, ${body.length}-byte JSON`, concurrency: c, stats: medianOf(runs) });
  }
  await app.close();
}

// Experiments run on their own (--only) keep the others' last results.
const file = `${benchRoot}bench/results/experiments-postgres.json`;
const previous = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as { outcomes: Record<string, Outcome[]> }).outcomes : {};
await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), seconds: Number(args.seconds), reps, outcomes: { ...previous, ...outcomes } }, null, 2)}\n`);
const removed = await removeBenchWrites(db);
log(`removed ${removed} resources written by the experiments`);
await driver.close();
await db.close();
