/**
 * Client registry at scale: bulk load WITH matching, and PDQm $match, on PostgreSQL and on the
 * embedded database (PGlite), each beside its baseline in the same run.
 *
 *   node bench/registry-bench.ts [--db postgres|pglite|both] [--records N] [--pglite-records N]
 *        [--batch B] [--in-flight F] [--workers W] [--seconds S] [--warmup W] [--reps R] [--clients 1,4]
 *        [--per-record K] [--reload] [--no-baseline]
 *
 * Load: N synthetic facility Patients (matching/synthetic-people.ts: Rwandan names, households,
 * twins, duplicates with realistic errors; ~2% carry a national ID with a typo, which the registry
 * refuses) through ClientRegistry.loadBulk — validation, identity-domain checks, blocking keys,
 * candidates, Fellegi–Sunter scoring, golden records, content encrypted at rest, search index —
 * with a progress bar. Baseline: the same records stored with plain batched SQL (validated,
 * encrypted, indexed: what any FHIR bulk import does) and no registry, into a scratch database
 * (the first --baseline-records of them, default 100,000: its rate does not depend on the size).
 * Per-record: K more records through the Patient write hook (repo.create), each in a transaction
 * rolled back, so the dataset stays as loaded: the cost of one record arriving over the API at this size.
 *
 * $match: closed loop over Patient/$match (handleFhirRequest, the whole operation path) with queries
 * made from loaded records (another facility's view of the same person, and people not registered);
 * baseline: the blocking lookup SQL alone for the same queries. Median of --reps runs of --seconds.
 *
 * PostgreSQL data stays in the database huza_registry_bench, PGlite data in
 * .bench-data/registry-pglite-<N>/, each with a manifest: a later run with the same N reuses it.
 * Results: bench/results/registry-<db>.json, plans in bench/results/registry-plans-<db>.txt.
 */
import { dirname } from 'node:path';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Session } from 'node:inspector';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open-database.ts';
import type { FhirEngine } from '../src/fhir/fhir-engine.ts';
import type { FhirContext } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import type { FhirResource } from '../src/fhir/repository/resource-types.ts';
import { extractIndexRows } from '../src/fhir/search/extract-index-rows.ts';
import { insertIndexRows, type BulkLoadReport } from '../src/registry/client/bulk-load.ts';
import type { ClientRegistry } from '../src/registry/client/client-registry.ts';
import { installClientRegistry } from '../src/registry/client/install-client-registry.ts';
import { blockingKeys, personFromPatient } from '../src/registry/client/matching/index.ts';
import { maxCandidates } from '../src/registry/client/placement.ts';
import { blockMembersSql, registryStore } from '../src/registry/client/registry-store.ts';
import { syntheticPatients } from '../src/registry/client/synthetic-patients.ts';
import { ndjsonValues } from '../src/cli/ndjson-lines.ts';
import { adminUrl, benchRoot, type DbKind } from './bench-database.ts';
import { openBenchEngine } from './bench-platform.ts';
import { medianOf, runClosedLoop, summarize, type RunStats } from './measure.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    records: { type: 'string', default: '1000000' },
    'pglite-records': { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '2' },
    /** Worker threads preparing records (default: the loader's, one less than the cores); 0: on the main thread. */
    workers: { type: 'string' },
    /** Golden records the loader keeps in memory between batches (default: the loader's). */
    'golden-cache': { type: 'string' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    reps: { type: 'string', default: '3' },
    clients: { type: 'string', default: '1,4' },
    'per-record': { type: 'string', default: '300' },
    pool: { type: 'string', default: '8' },
    seed: { type: 'string', default: '4' },
    reload: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'baseline-records': { type: 'string', default: '100000' },
    'load-only': { type: 'boolean', default: false },
    /** Measure $match (and the per-record hook) on whatever the database holds (a load stopped part way), loading nothing. */
    'match-only': { type: 'boolean', default: false },
    /** Only draw bench/results/registry.svg from the registry-*.json results. */
    chart: { type: 'boolean', default: false },
    /** Write a CPU profile of the loader's main thread from this many records loaded to the end (bench/results/registry-load.cpuprofile). */
    'profile-after': { type: 'string' },
  },
});

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const kinds: DbKind[] = args.db === 'both' ? ['postgres', 'pglite'] : [args.db as DbKind];
const seed = Number(args.seed);
const batchSize = Number(args.batch);
const inFlight = Number(args['in-flight']);
const workers = args.workers === undefined ? undefined : Number(args.workers);
const goldenCacheSize = args['golden-cache'] === undefined ? undefined : Number(args['golden-cache']);
const reps = Number(args.reps);
const plan = { warmupMs: Number(args.warmup) * 1000, durationMs: Number(args.seconds) * 1000 };
const databaseName = 'huza_registry_bench';
const baselineName = 'huza_registry_bench_baseline';

function pgUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function ensurePgDatabase(name: string, fresh: boolean): Promise<void> {
  if (fresh) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    if ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}

const pgliteDir = (records: number, suffix = '') => `${benchRoot}.bench-data/registry-pglite-${records}${suffix}`;

async function openKind(kind: DbKind, records: number, which: 'main' | 'baseline', fresh: boolean): Promise<Database> {
  if (kind === 'postgres') {
    const name = which === 'main' ? databaseName : baselineName;
    await ensurePgDatabase(name, fresh);
    return openDatabase({ databaseUrl: pgUrl(name), poolSize: Number(args.pool) });
  }
  const dir = pgliteDir(records, which === 'main' ? '' : '-baseline');
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return openDatabase({ dataDir: dir, poolSize: 1 });
}

/** utime, stime, cutime and cstime of a process, in seconds (cutime/cstime: its children that exited). */
async function procCpu(pid: number): Promise<{ own: number; children: number; ppid: number }> {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return { own: (Number(f[11]) + Number(f[12])) / 100, children: (Number(f[13]) + Number(f[14])) / 100, ppid: Number(f[1]) };
}

/**
 * CPU seconds of this process and (PostgreSQL on this machine) of the whole server: every live process
 * of the postmaster (backends, WAL writer, checkpointer, autovacuum) plus those that exited, which the
 * postmaster reaped into its children's time. Backends the pool closes while the run goes on count too.
 */
async function cpuSeconds(db: Database): Promise<{ node: number; main: number; postgres: number | null }> {
  const u = process.cpuUsage();
  const t = process.threadCpuUsage();
  let postgres: number | null = null;
  if (db.kind === 'postgres') {
    try {
      const backend = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const postmaster = (await procCpu(backend)).ppid;
      const root = await procCpu(postmaster);
      postgres = root.own + root.children;
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const p = await procCpu(Number(entry)).catch(() => undefined);
        if (p?.ppid === postmaster) postgres += p.own;
      }
    } catch {
      postgres = null;
    }
  }
  return { node: (u.user + u.system) / 1e6, main: (t.user + t.system) / 1e6, postgres };
}

/** CPU per record: the whole Node process (worker threads included), its main thread, and the PostgreSQL backends. */
function cpuDelta(a: { node: number; main: number; postgres: number | null }, b: { node: number; main: number; postgres: number | null }, records: number) {
  const node = b.node - a.node;
  const main = b.main - a.main;
  const postgres = a.postgres === null || b.postgres === null ? null : b.postgres - a.postgres;
  return { nodeSeconds: node, postgresSeconds: postgres, nodeMsPerRecord: (1000 * node) / records, mainThreadMsPerRecord: (1000 * main) / records, postgresMsPerRecord: postgres === null ? null : (1000 * postgres) / records };
}

interface LoadFigures {
  cpu?: ReturnType<typeof cpuDelta>;
  records: number;
  seconds: number;
  /** Input rows per second (refused rows included: they were read, checked and reported). */
  rate: number;
  report?: Omit<BulkLoadReport, 'refused'> & { refused: number; refusedSample: unknown[] };
  loadavgDuring?: number[];
  /** The rate over each tenth of the input: how it holds up as the registry grows. */
  segments?: { from: number; to: number; rate: number; cpu?: ReturnType<typeof cpuDelta>; gcMsPerRecord?: { major: number; minor: number; incremental: number } }[];
}

interface Manifest {
  records: number;
  seed: number;
  batch: number;
  inFlight: number;
  loadedAt: string;
  load: LoadFigures;
  baseline?: LoadFigures;
}

const manifestDdl = 'CREATE TABLE IF NOT EXISTS registry_bench_manifest (name text PRIMARY KEY, manifest jsonb NOT NULL)';

async function readManifest(db: Database): Promise<Manifest | undefined> {
  await db.query(manifestDdl);
  const r = await db.query<{ manifest: Manifest | string }>(`SELECT manifest FROM registry_bench_manifest WHERE name = 'main'`);
  const m = r.rows[0]?.manifest;
  return typeof m === 'string' ? JSON.parse(m) : m;
}

async function writeManifest(db: Database, m: Manifest): Promise<void> {
  await db.query(manifestDdl);
  await db.query(`INSERT INTO registry_bench_manifest (name, manifest) VALUES ('main', $1::jsonb) ON CONFLICT (name) DO UPDATE SET manifest = EXCLUDED.manifest`, [JSON.stringify(m)]);
}

function progressBar(label: string) {
  return new cliProgress.SingleBar({
    format: `  ${label} |{bar}| {percentage}% | {value}/{total} records | {speed} records/s | ETA {eta_formatted}`,
    hideCursor: true, noTTYOutput: true, notTTYSchedule: 20_000, etaBuffer: 50_000,
  }, cliProgress.Presets.shades_classic);
}

/** The registry's load: loadBulk over the synthetic records, with a progress bar. */
async function loadWithMatching(kind: DbKind, registry: ClientRegistry, engine: FhirEngine, input: { file: string; records: number }): Promise<LoadFigures> {
  const bar = progressBar(`${kind} registry load`);
  const cpu0 = await cpuSeconds(engine.repo.db);
  const started = performance.now();
  bar.start(input.records, 0, { speed: 0 });
  const samples: number[][] = [];
  const sampler = setInterval(() => samples.push(loadavg()), 15_000);
  const segments: NonNullable<LoadFigures['segments']> = [];
  const tenth = Math.max(1, Math.round(input.records / 10));
  // CPU per record over each tenth as well: whether the fall comes from more work per record or less CPU for it.
  let mark = { rows: 0, at: started, cpu: Promise.resolve(cpu0) };
  const pending: Promise<void>[] = [];
  // Main-thread garbage collection pauses by kind, per tenth: what the loader's heap costs as it grows.
  const gc = { major: 0, minor: 0, incremental: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major += e.duration;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor += e.duration;
      else gc.incremental += e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let gcMark = { ...gc };
  const profileAfter = args['profile-after'] === undefined ? undefined : Number(args['profile-after']);
  let profiler: Session | undefined;
  // Read from the file as `huza registry load FILE` does: the input is not held in memory.
  const report = await registry.loadBulk(engine.repo, ndjsonValues(input.file), {
    batchSize, inFlight, ...(workers === undefined ? {} : { workers }), ...(goldenCacheSize === undefined ? {} : { goldenCacheSize }),
    onProgress: (p) => {
      const now = performance.now();
      bar.update(p.rows, { speed: Math.round(p.rows / ((now - started) / 1000)) });
      if (profileAfter !== undefined && !profiler && p.rows >= profileAfter) {
        profiler = new Session();
        profiler.connect();
        profiler.post('Profiler.enable', () => profiler!.post('Profiler.start'));
      }
      if (p.rows > mark.rows && (p.rows - mark.rows >= tenth || p.rows === input.records)) {
        const n = p.rows - mark.rows;
        const segment: NonNullable<LoadFigures['segments']>[number] = {
          from: mark.rows, to: p.rows, rate: n / ((now - mark.at) / 1000),
          gcMsPerRecord: { major: (gc.major - gcMark.major) / n, minor: (gc.minor - gcMark.minor) / n, incremental: (gc.incremental - gcMark.incremental) / n },
        };
        gcMark = { ...gc };
        segments.push(segment);
        const cpuNow = cpuSeconds(engine.repo.db);
        const before = mark.cpu;
        pending.push(Promise.all([before, cpuNow]).then(([a, b]) => { segment.cpu = cpuDelta(a, b, segment.to - segment.from); }));
        mark = { rows: p.rows, at: now, cpu: cpuNow };
      }
    },
  });
  clearInterval(sampler);
  bar.stop();
  await Promise.all(pending);
  gcObserver.disconnect();
  if (profiler) {
    const session = profiler;
    const profile = await new Promise<unknown>((resolve, reject) => session.post('Profiler.stop', (error, r) => (error ? reject(error) : resolve(r.profile))));
    session.disconnect();
    await writeFile(new URL('./results/registry-load.cpuprofile', import.meta.url), JSON.stringify(profile));
    log('wrote bench/results/registry-load.cpuprofile');
  }
  for (const g of segments) log(`  records ${g.from}–${g.to}: ${Math.round(g.rate)} records/s; CPU ms/record node ${g.cpu?.nodeMsPerRecord.toFixed(2)} (main ${g.cpu?.mainThreadMsPerRecord.toFixed(2)}), postgres ${g.cpu?.postgresMsPerRecord?.toFixed(2)}; GC pauses ms/record major ${g.gcMsPerRecord?.major.toFixed(2)} minor ${g.gcMsPerRecord?.minor.toFixed(2)} other ${g.gcMsPerRecord?.incremental.toFixed(2)}`);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuDelta(cpu0, await cpuSeconds(engine.repo.db), input.records);
  const { refused, ...rest } = report;
  return {
    records: input.records, seconds, rate: input.records / seconds, cpu,
    report: { ...rest, refused: refused.length, refusedSample: refused.slice(0, 5) }, segments,
    loadavgDuring: samples.length > 0 ? [0, 1, 2].map((i) => Math.round(100 * samples.reduce((a, s) => a + s[i], 0) / samples.length) / 100) : loadavg(),
  };
}

/** Baseline: the same Patients validated, encrypted, indexed and inserted with multi-row SQL, no registry. */
async function loadPlain(kind: DbKind, engine: FhirEngine, patients: FhirResource[]): Promise<LoadFigures> {
  const db = engine.repo.db;
  const params = engine.repo.options.searchParameters.forType('Patient');
  const bar = progressBar(`${kind} baseline (no matching)`);
  const cpu0 = await cpuSeconds(db);
  const started = performance.now();
  bar.start(patients.length, 0, { speed: 0 });
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < patients.length; i += batchSize) {
    const lastUpdated = new Date();
    const versions: { id: string; content: Uint8Array; rows: ReturnType<typeof extractIndexRows> }[] = [];
    for (const p of patients.slice(i, i + batchSize)) {
      try {
        engine.repo.validate(p);
      } catch {
        continue;
      }
      const stored = { ...p, meta: { versionId: '1', lastUpdated: lastUpdated.toISOString() } };
      const { resourceType, ...rest } = stored;
      const json = JSON.stringify({ resourceType, ...rest });
      versions.push({ id: p.id as string, content: engine.repo.options.content.encode(json, { resourceType: 'Patient', id: p.id as string, versionId: 1 }), rows: extractIndexRows(p, params.values()) });
    }
    const done = i + Math.min(batchSize, patients.length - i);
    const write = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content)
        SELECT 'Patient', i, 1, $2, false, c FROM unnest($1::text[], $3::bytea[]) AS u(i, c)`, [versions.map((v) => v.id), lastUpdated, versions.map((v) => v.content)]);
      await tx.query(`INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
        SELECT 'Patient', i, 1, $2, false, 'POST', c FROM unnest($1::text[], $3::bytea[]) AS u(i, c)`, [versions.map((v) => v.id), lastUpdated, versions.map((v) => v.content)]);
      await insertIndexRows(tx, versions);
    }).then(() => { bar.update(done, { speed: Math.round(done / ((performance.now() - started) / 1000)) }); });
    const tracked: Promise<void> = write.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    if (inflight.size >= inFlight) await Promise.race(inflight);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inflight);
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  return { records: patients.length, seconds, rate: patients.length / seconds, cpu: cpuDelta(cpu0, await cpuSeconds(db), patients.length) };
}

/** K records through the write hook at this size, each in a transaction rolled back afterwards. */
async function perRecordLatency(engine: FhirEngine, patients: FhirResource[]): Promise<RunStats> {
  const latencies: number[] = [];
  let errors = 0;
  const rollback = new Error('rollback');
  const started = performance.now();
  for (const p of patients) {
    const t = performance.now();
    try {
      await engine.repo.withTransaction(async (tx) => {
        try {
          await tx.create(p, { id: `${p.id}-per-record` });
        } catch {
          errors++;
        }
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    latencies.push(performance.now() - t);
  }
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}

async function writeNdjson(file: string, values: unknown[]): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < values.length; i += 10_000) {
    if (!out.write(values.slice(i, i + 10_000).map((v) => JSON.stringify(v) + '\n').join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** 2,000 records spread evenly over the input: where the $match queries of loaded people come from. */
function matchSample(patients: FhirResource[]): FhirResource[] {
  const step = Math.max(1, Math.floor(patients.length / 2000));
  const out: FhirResource[] = [];
  for (let i = 0; i < patients.length && out.length < 2000; i += step) out.push(patients[i]);
  return out;
}

/** Queries: loaded records seen by another facility (id and file number dropped), and people not registered. */
function matchQueries(patients: FhirResource[], unknown: FhirResource[]): FhirResource[] {
  const strip = (p: FhirResource) => {
    const { id: _id, identifier, ...rest } = p as FhirResource & { identifier?: { system: string }[] };
    return { ...rest, identifier: (identifier ?? []).filter((i) => !i.system.includes('facility-mrn')) } as FhirResource;
  };
  const out: FhirResource[] = [];
  const step = Math.max(1, Math.floor(patients.length / 2000));
  for (let i = 0; i < patients.length && out.length < 2000; i += step) out.push(strip(patients[i]));
  for (const u of unknown.slice(0, 500)) out.push(strip(u));
  // Mixed, deterministic order.
  return out.map((q, i) => ({ q, k: (i * 2654435761) % 4294967296 })).sort((a, b) => a.k - b.k).map((x) => x.q);
}

async function measureMatch(engine: FhirEngine, queries: FhirResource[], clients: number): Promise<{ match: RunStats; lookup: RunStats; found: number }> {
  const ctx: FhirContext = { repo: engine.repo, operations: engine.operations, search: engine.search, baseUrl: 'http://127.0.0.1/fhir' };
  let found = 0;
  let n = 0;
  const runs: RunStats[] = [];
  for (let r = 0; r < reps; r++) {
    runs.push(await runClosedLoop({ ...plan, concurrency: clients }, async () => {
      const q = queries[n++ % queries.length];
      const response = await handleFhirRequest(ctx, {
        method: 'POST', path: 'Patient/$match', query: [], headers: {},
        body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: q }, { name: 'count', valueInteger: 5 }] },
      });
      if (response.status !== 200) throw new Error(`$match ${response.status}: ${String(response.body).slice(0, 500)}`);
      if ((JSON.parse(response.body as string).total ?? 0) > 0) found++;
      return true;
    }));
  }
  const lookups: RunStats[] = [];
  const keys = queries.map((q) => blockingKeys(personFromPatient(q)));
  for (let r = 0; r < reps; r++) {
    lookups.push(await runClosedLoop({ ...plan, concurrency: clients }, async () => {
      await registryStore.candidates(engine.repo.sql, keys[n++ % keys.length], '', maxCandidates);
      return true;
    }));
  }
  return { match: medianOf(runs), lookup: medianOf(lookups), found };
}

async function explain(db: Database, queries: FhirResource[]): Promise<string> {
  const out: string[] = [];
  const q = queries.slice(0, 3).map((p) => blockingKeys(personFromPatient(p)));
  for (const keys of q) {
    const r = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT source_id FROM cr_block WHERE key = ANY($1::text[]) AND source_id <> $2
       GROUP BY source_id ORDER BY count(*) DESC, source_id LIMIT $3`, [keys, '', maxCandidates]);
    out.push(`-- candidates (one $match / one record), ${keys.length} keys\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
  }
  const all = [...new Set(queries.slice(0, 1000).flatMap((p) => blockingKeys(personFromPatient(p))))];
  const r = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${blockMembersSql}`, [all]);
  out.push(`-- block members of one batch (1000 records, ${all.length} keys)\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
  return out.join('\n\n');
}

async function blockStats(db: Database): Promise<Record<string, unknown>> {
  const r = await db.query<{ kind: string; blocks: number; rows: number; max: number; p99: number }>(
    `SELECT split_part(key, ':', 1) AS kind, count(*)::int AS blocks, sum(n)::int AS rows, max(n)::int AS max,
            percentile_disc(0.99) WITHIN GROUP (ORDER BY n)::int AS p99
     FROM (SELECT key, count(*) AS n FROM cr_block GROUP BY key) b GROUP BY 1 ORDER BY 1`);
  const sizes = await db.query<{ t: string; bytes: string }>(
    `SELECT relname AS t, pg_total_relation_size(oid)::text AS bytes FROM pg_class WHERE relname IN ('resource', 'resource_history', 'sp_token', 'sp_string', 'sp_reference', 'sp_date', 'cr_block', 'cr_link', 'cr_link_history', 'cr_review') ORDER BY 1`);
  return { perKind: r.rows, tableBytes: Object.fromEntries(sizes.rows.map((x) => [x.t, Number(x.bytes)])) };
}

async function runKind(kind: DbKind): Promise<void> {
  const records = kind === 'postgres' ? Number(args.records) : Number(args['pglite-records']);
  log(`[${kind}] ${records.toLocaleString('en-US')} records, batch ${batchSize}, ${inFlight} in flight; loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const genStart = performance.now();
  let { patients } = syntheticPatients(records, { seed });
  // The load reads the records from an NDJSON file, as the CLI does; what the bench needs afterwards is kept.
  const input = { file: `${benchRoot}.bench-data/registry-input-${records}-seed${seed}.ndjson`, records: patients.length };
  await mkdir(dirname(input.file), { recursive: true });
  await writeNdjson(input.file, patients);
  const baselineInput = patients.slice(0, Number(args['baseline-records']));
  let queriesFrom = matchSample(patients);
  patients = [];
  // People not in the dataset (another seed): their file numbers are made distinct, or they would claim loaded records' numbers.
  const unknownPeople = syntheticPatients(600, { seed: seed + 1000 }).patients.map((p) => {
    const identifier = ((p as { identifier?: { system: string; value: string }[] }).identifier ?? []).map((i) => (i.system.includes('facility-mrn') ? { ...i, value: `U-${i.value}` } : i));
    return { ...p, id: `u${p.id}`, identifier } as FhirResource;
  });
  log(`[${kind}] generated ${input.records.toLocaleString('en-US')} synthetic Patients in ${((performance.now() - genStart) / 1000).toFixed(1)} s`);

  let db: Database;
  let engine: FhirEngine;
  let manifest: Manifest | undefined;
  let loaded = records;
  if (args['match-only']) {
    db = await openKind(kind, records, 'main', false);
    ({ engine } = await openBenchEngine(db, { validate: true }));
    installClientRegistry(engine);
    manifest = await readManifest(db);
    loaded = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cr_link')).rows[0].n;
    // Queries come from what is stored (the generator may have changed since the load): 2,000 random loaded records.
    const sample = (await db.query<{ source_id: string }>('SELECT source_id FROM cr_link TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT 2000')).rows.map((r) => r.source_id);
    queriesFrom = (await engine.repo.readMany(sample.map((id) => ({ type: 'Patient', id })))).map((v) => JSON.parse(v.json as string) as FhirResource);
    log(`[${kind}] --match-only: ${loaded.toLocaleString('en-US')} source records in the registry (a load stopped part way is measured as it stands)`);
    if (!args['no-baseline'] && !manifest?.baseline) {
      const bdb = await openKind(kind, records, 'baseline', true);
      const { engine: bengine } = await openBenchEngine(bdb, { validate: true });
      const baseline = await loadPlain(kind, bengine, baselineInput);
      log(`[${kind}] baseline (plain batched SQL, no matching): ${Math.round(baseline.rate)} records/s (${baseline.seconds.toFixed(0)} s); CPU ${JSON.stringify(baseline.cpu)}`);
      await bdb.close();
      if (kind === 'postgres') await admin(`DROP DATABASE IF EXISTS ${baselineName} WITH (FORCE)`);
      else await rm(pgliteDir(records, '-baseline'), { recursive: true, force: true });
      manifest = { records: loaded, seed, batch: batchSize, inFlight, loadedAt: 'stopped part way', load: { records: loaded, seconds: Number.NaN, rate: Number.NaN }, baseline };
    }
  } else {
    db = await openKind(kind, records, 'main', args.reload);
    manifest = await readManifest(db);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cr_link')).rows[0].n;
    if (manifest && !(manifest.records === records && manifest.seed === seed && manifest.load.report && await count() === manifest.load.report.links.identifier + manifest.load.report.links.probabilistic + manifest.load.report.links.new)) {
      log(`[${kind}] the stored dataset differs (${manifest.records} records, seed ${manifest.seed}): loading afresh`);
      await db.close();
      db = await openKind(kind, records, 'main', true);
      manifest = undefined;
    }
    ({ engine } = await openBenchEngine(db, { validate: true }));
    let registry = installClientRegistry(engine);
    if (manifest) {
      log(`[${kind}] reusing the loaded dataset (loaded ${manifest.loadedAt} at ${Math.round(manifest.load.rate)} records/s)`);
    } else {
      if (await count() > 0) {
        await db.close();
        db = await openKind(kind, records, 'main', true);
        ({ engine } = await openBenchEngine(db, { validate: true }));
        registry = installClientRegistry(engine);
      }
      const load = await loadWithMatching(kind, registry, engine, input);
      log(`[${kind}] loaded with matching: ${Math.round(load.rate)} records/s (${load.seconds.toFixed(0)} s); ${JSON.stringify(load.report?.links)}, ${load.report?.refused} refused, ${load.report?.reviews} reviews; CPU ${JSON.stringify(load.cpu)}`);
      const analyze = performance.now();
      await db.query('VACUUM ANALYZE');
      log(`[${kind}] VACUUM ANALYZE ${((performance.now() - analyze) / 1000).toFixed(0)} s`);
      let baseline: LoadFigures | undefined;
      if (!args['no-baseline']) {
        const bdb = await openKind(kind, records, 'baseline', true);
        const { engine: bengine } = await openBenchEngine(bdb, { validate: true });
        baseline = await loadPlain(kind, bengine, baselineInput);
        log(`[${kind}] baseline (plain batched SQL, no matching): ${Math.round(baseline.rate)} records/s (${baseline.seconds.toFixed(0)} s); CPU ${JSON.stringify(baseline.cpu)}`);
        await bdb.close();
        if (kind === 'postgres') await admin(`DROP DATABASE IF EXISTS ${baselineName} WITH (FORCE)`);
        else await rm(pgliteDir(records, '-baseline'), { recursive: true, force: true });
      }
      manifest = { records, seed, batch: batchSize, inFlight, loadedAt: new Date().toISOString(), load, ...(baseline ? { baseline } : {}) };
      await writeManifest(db, manifest);
    }
  }
  if (args['load-only']) {
    await db.close();
    return;
  }

  log(`[${kind}] per-record write hook at this size (${args['per-record']} records, rolled back)`);
  const perRecord = await perRecordLatency(engine, unknownPeople.slice(0, Number(args['per-record'])));
  log(`[${kind}] per-record: ${perRecord.throughput.toFixed(0)} records/s, p50/p95/p99 ${perRecord.p50.toFixed(1)}/${perRecord.p95.toFixed(1)}/${perRecord.p99.toFixed(1)} ms`);

  const queries = matchQueries(queriesFrom, unknownPeople);
  const match: Record<string, unknown> = {};
  for (const clients of args.clients.split(',').map(Number)) {
    const m = await measureMatch(engine, queries, clients);
    match[String(clients)] = m;
    log(`[${kind}] $match ${clients} client(s): ${m.match.throughput.toFixed(0)}/s p50/p95/p99 ${m.match.p50.toFixed(1)}/${m.match.p95.toFixed(1)}/${m.match.p99.toFixed(1)} ms; `
      + `lookup SQL alone ${m.lookup.p50.toFixed(1)}/${m.lookup.p95.toFixed(1)}/${m.lookup.p99.toFixed(1)} ms`);
  }
  const plans = await explain(db, queries);
  await writeFile(`${benchRoot}bench/results/registry-plans-${kind}.txt`, plans + '\n');
  const stats = await blockStats(db);
  const pgVersion = (await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  const result = {
    kind, date: new Date().toISOString(),
    command: ['node', ...process.execArgv, 'bench/registry-bench.ts', ...process.argv.slice(2)].join(' '),
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), loadavgAtEnd: loadavg(), node: process.version, postgres: pgVersion },
    dataset: { records: loaded, generated: records, seed, batch: manifest?.batch ?? batchSize, inFlight: manifest?.inFlight ?? inFlight, loadedAt: manifest?.loadedAt, complete: Number.isFinite(manifest?.load?.rate ?? Number.NaN) },
    load: manifest?.load, baseline: manifest?.baseline, perRecord, match, blocks: stats,
    plan: { ...plan, reps },
  };
  await writeFile(`${benchRoot}bench/results/registry-${kind}.json`, JSON.stringify(result, null, 2) + '\n');
  log(`[${kind}] wrote bench/results/registry-${kind}.json`);
  await db.close();
}

// ---- chart -------------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface ResultFile {
  kind: DbKind;
  date: string;
  dataset: { records: number; complete: boolean };
  load?: LoadFigures;
  baseline?: LoadFigures;
  perRecord: RunStats;
  match: Record<string, { match: RunStats; lookup: RunStats }>;
}

/** Two panels: load rates against the 1,000 records/s target, $match latency against the 50 ms target. */
function chartSvg(results: ResultFile[]): string {
  const width = 980;
  const left = 330;
  const plotW = width - left - 120;
  const barH = 14;
  const body: string[] = [];
  let y = 60;
  const panel = (title: string, unit: string, target: number, rows: { label: string; value: number | undefined; color: string }[]) => {
    body.push(`<text x="8" y="${y}" font-weight="bold">${esc(title)}</text>`);
    y += 10;
    const max = Math.max(target * 1.15, ...rows.map((r) => r.value ?? 0)) * 1.05;
    const xOf = (v: number) => left + (plotW * v) / max;
    const top = y;
    for (const r of rows) {
      body.push(`<text x="${left - 8}" y="${y + barH - 3}" text-anchor="end" font-size="11">${esc(r.label)}</text>`);
      if (r.value !== undefined && r.value > 0) {
        body.push(`<rect x="${left}" y="${y}" width="${(xOf(r.value) - left).toFixed(1)}" height="${barH}" fill="${r.color}"/>`);
        body.push(`<text x="${(xOf(r.value) + 4).toFixed(1)}" y="${y + barH - 3}" font-size="11">${r.value < 10 ? r.value.toFixed(1) : Math.round(r.value).toLocaleString('en-US')} ${unit}</text>`);
      }
      y += barH + 4;
    }
    body.push(`<line x1="${xOf(target).toFixed(1)}" y1="${top - 4}" x2="${xOf(target).toFixed(1)}" y2="${y}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    body.push(`<text x="${xOf(target).toFixed(1)}" y="${y + 12}" text-anchor="middle" font-size="10" fill="#d62728">target ${target.toLocaleString('en-US')} ${unit}</text>`);
    y += 36;
  };
  // Bars split in parts (CPU by where it was spent), with a legend and a budget line.
  const stacked = (heading: string, unit: string, budget: { value: number; label: string }, names: { name: string; color: string }[], rows: { label: string; parts: number[] }[]) => {
    body.push(`<text x="8" y="${y}" font-weight="bold">${esc(heading)}</text>`);
    y += 16;
    let lx = left;
    for (const n of names) {
      body.push(`<rect x="${lx}" y="${y - 10}" width="10" height="10" fill="${n.color}"/><text x="${lx + 14}" y="${y}" font-size="11">${esc(n.name)}</text>`);
      lx += 20 + n.name.length * 6;
    }
    y += 8;
    const max = Math.max(budget.value * 1.15, ...rows.map((r) => r.parts.reduce((a, b) => a + b, 0))) * 1.05;
    const xOf = (v: number) => left + (plotW * v) / max;
    const top = y;
    for (const r of rows) {
      body.push(`<text x="${left - 8}" y="${y + barH - 3}" text-anchor="end" font-size="11">${esc(r.label)}</text>`);
      let at = 0;
      r.parts.forEach((v, i) => {
        if (v > 0) body.push(`<rect x="${xOf(at).toFixed(1)}" y="${y}" width="${(xOf(at + v) - xOf(at)).toFixed(1)}" height="${barH}" fill="${names[i].color}"/>`);
        at += Math.max(0, v);
      });
      body.push(`<text x="${(xOf(at) + 4).toFixed(1)}" y="${y + barH - 3}" font-size="11">${at.toFixed(2)} ${unit}</text>`);
      y += barH + 4;
    }
    body.push(`<line x1="${xOf(budget.value).toFixed(1)}" y1="${top - 4}" x2="${xOf(budget.value).toFixed(1)}" y2="${y}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    body.push(`<text x="${xOf(budget.value).toFixed(1)}" y="${y + 12}" text-anchor="middle" font-size="10" fill="#d62728">${esc(budget.label)}</text>`);
    y += 36;
  };
  const title: Record<DbKind, string> = { postgres: 'PostgreSQL', pglite: 'PGlite' };
  const rows: { label: string; value: number | undefined; color: string }[] = [];
  for (const r of results) {
    const n = `${title[r.kind]}, ${r.dataset.records.toLocaleString('en-US')} records`;
    rows.push({ label: `${n}: per-record write hook`, value: r.perRecord?.throughput, color: '#ff7f0e' });
    rows.push({ label: `${n}: bulk load with matching`, value: r.load?.rate, color: '#1f77b4' });
    const cpu = r.load?.cpu;
    if (cpu) rows.push({ label: `${title[r.kind]}: bulk, records per Node CPU-second (all threads)`, value: 1000 / cpu.nodeMsPerRecord, color: '#aec7e8' });
    rows.push({ label: `${title[r.kind]}: baseline (plain batched SQL)`, value: r.baseline?.rate, color: '#8c8c8c' });
  }
  panel('Loading source Patients (records/s, 2-core machine)', 'records/s', 1000, rows);
  const lat: { label: string; value: number | undefined; color: string }[] = [];
  for (const r of results) {
    for (const [clients, m] of Object.entries(r.match ?? {})) {
      const n = `${title[r.kind]}, ${r.dataset.records.toLocaleString('en-US')} records, ${clients} client${clients === '1' ? '' : 's'}`;
      lat.push({ label: `${n}: $match p95`, value: m.match.p95, color: '#2ca02c' });
      lat.push({ label: `${n}: blocking SQL alone p95`, value: m.lookup.p95, color: '#8c8c8c' });
    }
  }
  panel('Patient/$match latency (ms, p95)', 'ms', 50, lat);
  for (const r of results) {
    const segments = r.load?.segments ?? [];
    if (segments.length === 0) continue;
    panel(`${title[r.kind]}: bulk load rate as the registry grows (records/s over each tenth of the input)`, 'records/s', 1000,
      segments.map((g) => ({ label: `records ${g.from.toLocaleString('en-US')} – ${g.to.toLocaleString('en-US')}`, value: g.rate, color: '#1f77b4' })));
    if (r.kind === 'postgres' && segments.every((g) => g.cpu?.postgresMsPerRecord != null)) {
      stacked(`${title[r.kind]}: CPU per record over each tenth (ms; the machine has 2 cores)`, 'ms', { value: 2, label: '2 cores at 1,000 records/s' },
        [{ name: 'loader main thread', color: '#1f77b4' }, { name: 'loader workers and GC threads', color: '#aec7e8' }, { name: 'PostgreSQL server (all processes)', color: '#ff7f0e' }],
        segments.map((g) => ({
          label: `records ${g.from.toLocaleString('en-US')} – ${g.to.toLocaleString('en-US')}`,
          parts: [g.cpu!.mainThreadMsPerRecord, g.cpu!.nodeMsPerRecord - g.cpu!.mainThreadMsPerRecord, g.cpu!.postgresMsPerRecord!],
        })));
    }
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="24" font-size="14" font-weight="bold">Client registry at scale (bench/registry-bench.ts, ${esc(results.map((r) => r.date.slice(0, 10)).sort().pop() ?? '')})</text>`,
    ...body, '</svg>', '',
  ].join('\n');
}

async function writeChart(): Promise<void> {
  const results: ResultFile[] = [];
  for (const kind of ['postgres', 'pglite'] as const) {
    try {
      results.push(JSON.parse(await readFile(`${benchRoot}bench/results/registry-${kind}.json`, 'utf8')));
    } catch {
      // not measured yet
    }
  }
  await writeFile(`${benchRoot}bench/results/registry.svg`, chartSvg(results));
  log('wrote bench/results/registry.svg');
}

if (args.chart) await writeChart();
else {
  for (const kind of kinds) {
    if (kind !== 'postgres' && kind !== 'pglite') throw new Error('--db must be postgres, pglite or both');
    await runKind(kind);
  }
  await writeChart();
}
