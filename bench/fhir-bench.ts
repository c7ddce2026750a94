/**
 * Huza FHIR benchmark: on PostgreSQL and on the embedded database (PGlite), side by side in one run.
 *
 *   npm run bench -- [--db postgres|pglite|both] [--seconds S] [--patients N --others M]
 *                    [--warmup W] [--reps R] [--clients 1,32] [--scenarios a,b] [--http all|none|a,b]
 *                    [--pool P] [--reload] [--no-report]
 *
 * For each database, scenario and number of concurrent clients it measures
 *   (a) Huza in-process: handleFhirRequest, the whole FHIR interaction path (routing, search parsing,
 *       validation, index extraction, SQL, JSON) minus HTTP;
 *   (b) Huza over HTTP: buildServer on loopback, driven by a separate client process (bench/http-client.ts);
 *   (c) the baseline: the very SQL statements Huza issued for the same inputs (captured), replayed with
 *       the same driver at the same concurrency — the physical limit of this design.
 * Each figure is the median of --reps runs of --seconds after --warmup seconds. Results go to
 * bench/results/results-<db>.json, charts to bench/results/*.svg, and the tables to BENCHMARKS.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { createFhirEngine } from '../src/fhir/fhir-engine.ts';
import type { FhirContext } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import { benchPostgresUrl, benchRoot, postgresVersion, removeBenchWrites, type DbKind } from './bench-database.ts';
import { openBenchEngine, startBenchServer } from './bench-platform.ts';
import type { HttpRunReply, HttpRunRequest } from './http-client.ts';
import { defaultSeed, defaultSizes, ensureDataset } from './load-bench-data.ts';
import { medianOf, runClosedLoop, type RunPlan, type RunStats } from './measure.ts';
import { scenarioNames, writeReport, type DbResults, type PlanSummary, type ScenarioName, type ScenarioResult } from './report.ts';
import { pick, prepare, samplePatients, type Prepared } from './scenarios.ts';
import { adapterDriver, CapturingDatabase, pgDriver, type BaselineDriver, type ReplayableCall } from './sql-capture.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    reps: { type: 'string', default: '3' },
    clients: { type: 'string', default: '1,32' },
    scenarios: { type: 'string', default: scenarioNames.join(',') },
    http: { type: 'string', default: 'all' },
    patients: { type: 'string' },
    others: { type: 'string' },
    pool: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(defaultSeed) },
    reload: { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
  },
});

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const plan: Omit<RunPlan, 'concurrency'> = { warmupMs: Number(args.warmup) * 1000, durationMs: Number(args.seconds) * 1000 };
const reps = Number(args.reps);
const clientCounts = args.clients.split(',').map(Number);
const scenarios = args.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
for (const s of scenarios) if (!scenarioNames.includes(s)) throw new Error(`unknown scenario ${s}; known: ${scenarioNames.join(', ')}`);
const httpScenarios = new Set<string>(args.http === 'all' ? scenarioNames : args.http === 'none' ? [] : args.http.split(','));
const kinds: DbKind[] = args.db === 'both' ? ['postgres', 'pglite'] : [args.db as DbKind];
for (const k of kinds) if (k !== 'postgres' && k !== 'pglite') throw new Error(`--db must be postgres, pglite or both`);
const poolSize = Number(args.pool);
const seed = Number(args.seed);
const baseUrl = 'http://127.0.0.1/fhir';

class HttpClientProcess {
  private readonly child: ChildProcess;
  constructor() {
    this.child = fork(new URL('./http-client.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  run(request: HttpRunRequest): Promise<RunStats> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: HttpRunReply) => (reply.type === 'result' ? resolve(reply.stats) : reject(new Error(reply.message))));
      this.child.send(request);
    });
  }
  close(): void {
    this.child.disconnect();
  }
}

function fmt(s: RunStats): string {
  // NaN (no successful operation) crosses the IPC channel as null.
  const f = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(2));
  return `${s.throughput.toFixed(0).padStart(6)} ops/s p50 ${f(s.p50)} p95 ${f(s.p95)} p99 ${f(s.p99)} ms${s.errors ? ` ERRORS ${s.errors}: ${s.firstError?.split('\n')[0]}` : ''}`;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of each statement of a captured search, replayed (so generated ids such as
 * a snapshot's are fresh) inside a transaction that is rolled back: a snapshot insert must not stay.
 */
async function explain(driver: BaselineDriver, call: ReplayableCall): Promise<string[]> {
  const out: string[] = [];
  const rollback = new Error('rollback');
  await driver.transaction(async (q) => {
    const explaining: BaselineDriver = {
      async query(sql, params) {
        const r = await q(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        out.push(`-- ${sql.replace(/\s+/g, ' ').slice(0, 160)}…\n-- params: ${JSON.stringify(params).slice(0, 300)}\n${r.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
        return { rows: [] };
      },
      transaction: (fn) => fn((sql, params) => explaining.query(sql, params)),
      close: async () => undefined,
    };
    await call.replay(explaining);
    throw rollback;
  }).catch((e: unknown) => {
    if (e !== rollback) throw e;
  });
  return out;
}

async function explainSearches(kind: DbKind, driver: BaselineDriver, prepared: Map<ScenarioName, Prepared>): Promise<PlanSummary[]> {
  const picks: { label: string; call?: ReplayableCall }[] = [];
  const ident = prepared.get('search-identifier');
  if (ident) picks.push({ label: 'identifier', call: ident.captures[0] });
  const nb = prepared.get('search-name-birthdate');
  if (nb) {
    const full = nb.requests.findIndex((r) => r.query[1][1].length === 10);
    const year = nb.requests.findIndex((r) => r.query[1][1].length === 4);
    if (full >= 0) picks.push({ label: `name+birthdate (full date: ${nb.requests[full].query.map(([k, v]) => `${k}=${v}`).join('&')})`, call: nb.captures[full] });
    if (year >= 0) picks.push({ label: `name+birthdate (year only: ${nb.requests[year].query.map(([k, v]) => `${k}=${v}`).join('&')})`, call: nb.captures[year] });
  }
  const summaries: PlanSummary[] = [];
  const text: string[] = [];
  for (const { label, call } of picks) {
    if (!call) continue;
    const plans = await explain(driver, call);
    text.push(`==== ${label} (${call.statementCount} statement${call.statementCount > 1 ? 's' : ''})\n${plans.join('\n\n')}`);
    const times = plans.map((p) => Number(/Execution Time: ([\d.]+) ms/.exec(p)?.[1] ?? Number.NaN));
    // The plan's nodes, outermost first: the plan's first line and every "->" line, without costs.
    const nodes = plans.map((p) => p.split('\n').filter((l, i, all) => (l.includes('->') || (i > 0 && all[i - 1].startsWith('-- params')))).slice(0, 7)
      .map((l) => l.replace(/\s+\(cost=.*$/, '').replace(/^[\s>-]+/, '').trim()).join(' → '));
    summaries.push({ label, statements: call.statementCount, executionMs: times, nodes });
  }
  await writeFile(`${benchRoot}bench/results/plans-${kind}.txt`, `${text.join('\n\n')}\n`);
  return summaries;
}

async function benchDatabase(kind: DbKind, http: HttpClientProcess): Promise<DbResults> {
  const sizes = {
    patients: Number(args.patients ?? defaultSizes[kind].patients),
    others: Number(args.others ?? defaultSizes[kind].others),
  };
  const spec = { kind, ...sizes, seed, poolSize };
  const { db, manifest } = await ensureDataset(spec, {
    reload: args.reload, validate: true, concurrency: kind === 'postgres' ? 16 : 4, progress: true, log,
  });
  // The engine as the platform builds it (content encrypted at rest); the capture engine shares its key ring.
  const bench = await openBenchEngine(db, { validate: true });
  const { engine } = bench;
  const capturing = new CapturingDatabase(db);
  const captureEngine = createFhirEngine(capturing, { validate: true, maxSnapshotSize: 10_000, contentCodec: bench.cipher });
  const ctx: FhirContext = { repo: engine.repo, operations: engine.operations, search: engine.search, baseUrl };
  const captureCtx: FhirContext = { repo: captureEngine.repo, operations: captureEngine.operations, search: captureEngine.search, baseUrl };
  const driver = kind === 'postgres' ? pgDriver(benchPostgresUrl(), poolSize) : adapterDriver(db);
  // The real front door: OAuth-protected, access-controlled, audited. The client process presents a system token.
  const server = await startBenchServer(db, bench);
  const { port } = server;
  const version = await postgresVersion(db);
  log(`[${kind}] PostgreSQL ${version}; ${sizes.patients} patients + ${sizes.others} others; pool ${kind === 'postgres' ? poolSize : 1}; HTTP on 127.0.0.1:${port}`);

  // The machine is shared: the 1-minute load average, sampled through the runs, says how busy it was.
  const loads: number[] = [loadavg()[0]];
  const loadSampler = setInterval(() => loads.push(loadavg()[0]), 10_000);
  const sample = await samplePatients(db, bench.cipher, 2000, seed);
  const results: ScenarioResult[] = [];
  const prepared = new Map<ScenarioName, Prepared>();
  for (const scenario of scenarios) {
    const started = performance.now();
    const p = await prepare(scenario, sample, captureCtx, capturing, seed);
    prepared.set(scenario, p);
    const statements = p.captures.reduce((n, c) => n + c.statementCount, 0) / p.captures.length;
    log(`[${kind}] ${scenario}: ${p.requests.length} inputs captured (${statements.toFixed(1)} statements per interaction) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const concurrency of clientCounts) {
      const runPlan = { ...plan, concurrency };
      const runs = { huza: [] as RunStats[], baseline: [] as RunStats[], http: [] as RunStats[] };
      for (let rep = 0; rep < reps; rep++) {
        const counter = { n: 0 };
        runs.huza.push(await runClosedLoop(runPlan, async (w, seq) => {
          const r = p.materialize(pick(p.requests, p.partition, concurrency, counter, w, seq));
          const response = await handleFhirRequest(ctx, r);
          if (p.expect.includes(response.status)) return true;
          throw new Error(`status ${response.status}: ${response.body?.slice(0, 300)}`);
        }));
        const bcounter = { n: 0 };
        runs.baseline.push(await runClosedLoop(runPlan, async (w, seq) => {
          await pick(p.captures, p.partition, concurrency, bcounter, w, seq).replay(driver);
          return true;
        }));
        if (httpScenarios.has(scenario)) {
          // A token per run, as a client renews it: tokens live 15 minutes.
          const authorization = `Bearer ${await server.freshToken()}`;
          runs.http.push(await http.run({ type: 'run', port, requests: p.http, concurrency, ...plan, partition: p.partition, authorization }));
        }
        log(`[${kind}] ${scenario} c=${concurrency} rep ${rep + 1}: huza ${fmt(runs.huza[rep])} | baseline ${fmt(runs.baseline[rep])}${runs.http[rep] ? ` | http ${fmt(runs.http[rep])}` : ''}`);
      }
      const result: ScenarioResult = {
        scenario, concurrency, statements,
        huza: medianOf(runs.huza), baseline: medianOf(runs.baseline), ...(runs.http.length ? { http: medianOf(runs.http) } : {}),
      };
      for (const [what, s] of [['huza', result.huza], ['baseline', result.baseline], ['http', result.http]] as const) {
        if (s?.firstError) log(`[${kind}] ${scenario} c=${concurrency} ${what}: ${s.errors} errors; first: ${s.firstError.split('\n')[0]}`);
      }
      results.push(result);
    }
  }
  clearInterval(loadSampler);
  loads.sort((a, b) => a - b);
  const systemLoad = { min: loads[0], median: loads[Math.floor(loads.length / 2)], max: loads[loads.length - 1] };
  log(`[${kind}] 1-minute load average during the runs: min ${systemLoad.min.toFixed(1)}, median ${systemLoad.median.toFixed(1)}, max ${systemLoad.max.toFixed(1)} (${availableParallelism()} CPUs)`);
  const plans = await explainSearches(kind, driver, prepared);
  for (const p of plans) log(`[${kind}] plan ${p.label}: ${p.executionMs.map((t) => `${t} ms`).join(' + ')}: ${p.nodes.join(' || ')}`);
  await server.close();
  await driver.close();
  const removed = await removeBenchWrites(db);
  log(`[${kind}] removed ${removed} resources the benchmark wrote`);
  const mem = process.memoryUsage();
  const memory = { rssMb: mem.rss / 2 ** 20, heapUsedMb: mem.heapUsed / 2 ** 20, heapTotalMb: mem.heapTotal / 2 ** 20, externalMb: mem.external / 2 ** 20, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  log(`[${kind}] memory after: rss ${memory.rssMb.toFixed(0)} MB, heap used ${memory.heapUsedMb.toFixed(0)} MB, external ${memory.externalMb.toFixed(0)} MB, peak rss ${memory.maxRssMb.toFixed(0)} MB`);
  await db.close();
  return {
    kind, date: new Date().toISOString(), postgresVersion: version, patients: sizes.patients, others: sizes.others,
    poolSize: kind === 'postgres' ? poolSize : 1, load: manifest, seconds: Number(args.seconds), warmup: Number(args.warmup), reps,
    results, plans, memory, systemLoad,
  };
}

const machine = {
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
log(`Huza benchmark: ${command}; ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}`);
const http = new HttpClientProcess();
try {
  for (const kind of kinds) {
    const results = await benchDatabase(kind, http);
    await writeFile(`${benchRoot}bench/results/results-${kind}.json`, `${JSON.stringify({ command, machine, ...results }, null, 2)}\n`);
  }
} finally {
  http.close();
}
if (!args['no-report']) {
  const written = await writeReport();
  log(`wrote ${written.join(', ')}`);
}
